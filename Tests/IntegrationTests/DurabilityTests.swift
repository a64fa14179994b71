import Foundation
import XCTest

/// Persist before anything else: what others hear of, and the scripts that tell them, come
/// after the configuration file holds it.
final class DurabilityTests: IntegrationTestCase {
    func testAVoteIsInTheFileWhenItsNotificationScriptRuns() throws {
        let master = try startRedis("master")
        let seen = "\(directory)/seen.log"
        let configPath = "\(directory)/s1/sentinel.conf"
        // The script copies what the file says about the vote at the moment it runs.
        let notify = try writeExecutable("notify.sh", """
        #!/bin/sh
        if [ "$1" = "+vote-for-leader" ]; then
            grep -h "leader-epoch" '\(configPath)' >> '\(seen)'
            echo "vote $2" >> '\(seen)'
        fi

        """)
        let sentinel = try startSentinel("s1", lines: monitorLines(master: master) + "sentinel notification-script mymaster \(notify)\n")
        XCTAssertEqual(sentinel.configPath, configPath)
        let candidate = String(repeating: "c", count: 40)
        let reply = try query(sentinel.port, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", String(master.port), "7", candidate)
        XCTAssertEqual(reply.elements?[1], .bulk(candidate))
        try waitUntil("the notification script ran; it saw \(lines(of: seen))") { lines(of: seen).contains("vote \(candidate) 7") }
        XCTAssertEqual(lines(of: seen), ["sentinel leader-epoch mymaster 7", "vote \(candidate) 7"])
    }
}
