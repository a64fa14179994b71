import XCTest
@testable import SentinelCore

/// SHA-256 against published and independently computed digests.
final class SHA256Tests: XCTestCase {
    func testPublishedVectors() {
        XCTAssertEqual(SHA256.hexDigest([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hexDigest(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the padding boundaries (a block holds 55 bytes of message with its
    /// padding; 56 to 63 need a second block), digests from Python's hashlib.
    func testLengthsAroundBlockBoundaries() {
        let expected: [Int: String] = [
            55: "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59",
            56: "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562",
            63: "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488",
            64: "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108",
            65: "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781",
            119: "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6",
            120: "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c",
            128: "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5",
        ]
        for (length, digest) in expected {
            let message = (0..<length).map { UInt8($0 % 251) }
            XCTAssertEqual(SHA256.hexDigest(message), digest, "length \(length)")
        }
    }

    /// The hashes redis-sentinel 7.0.15 shows in `ACL LIST` for `>al` and `requirepass "p\xffw"`.
    func testPasswordHashesAsRedisShowsThem() {
        XCTAssertEqual(SHA256.hexDigest(Array("al".utf8)), "6351825030155836664876686dcff61b6a91254a0458537072a1b26ad151b5ce")
        XCTAssertEqual(SHA256.hexDigest([UInt8(ascii: "p"), 0xFF, UInt8(ascii: "w")]),
                       "147e32320af47db82bc09e42e0e45f6235dd90a31183ace979be674795f22fbe")
    }
}
