extension Sentinel {
    /// Publishes our hello on an instance's command connection (§4).
    mutating func sendHello(to instanceID: InstanceID, turn: inout Turn) {
        // Fields are read in place, not whole records (a hello per name every two seconds);
        // holding a copy of a shared link while the hello is queued on it would also
        // duplicate its queue of outstanding replies.
        guard let linkID = instances.field(instanceID, \.link), links.field(linkID, \.isDisconnected) == false,
              let kind = instances.field(instanceID, \.kind),
              let masterID = kind == .master ? instanceID : instances.field(instanceID, \.master),
              let masterName = instances.field(masterID, \.name), let configEpoch = masters.field(masterID, \.configEpoch)
        else { return }
        guard let ip = configuration.announceIP ?? links.field(linkID, \.localAddress) else { return }
        let port = configuration.helloPort(listeningPort: environment.listeningPort)
        let masterAddress = currentAddress(ofMaster: masterID)
        let hello = HelloMessage(
            sentinelAddress: HostPort(host: ip, port: port), sentinelRunID: myID, currentEpoch: currentEpoch,
            masterName: masterName, masterAddress: HostPort(host: announcedHost(masterAddress), port: masterAddress.port),
            masterConfigEpoch: configEpoch)
        sendCommand(["PUBLISH", HelloMessage.channel, hello.text], to: instanceID, expecting: .hello, turn: &turn)
    }

    /// The least time between two hellos sent to one instance outside its hello period.
    static let immediateHelloInterval: Milliseconds = 100

    /// Sends a hello to an instance at once, instead of at its next hello period (every 2 s,
    /// §4): on a link re-established after a break, and after this sentinel adopted a newer
    /// configuration — so that a peer coming back from a partition learns the newer
    /// configuration, and confirms it, within one round trip. At most one such hello per
    /// instance every `immediateHelloInterval`, and none while one is unanswered.
    mutating func announceNow(to instanceID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let linkID = instances.field(instanceID, \.link), links.field(linkID, \.isDisconnected) == false,
              let lastSent = instances.field(instanceID, \.lastImmediateHelloTime),
              lastSent == 0 || now - lastSent >= Sentinel.immediateHelloInterval,
              !awaitsReply(.hello, for: instanceID, on: linkID)
        else { return }
        instances[instanceID]?.lastImmediateHelloTime = now
        sendHello(to: instanceID, turn: &turn)
    }

    /// Announces this sentinel's configuration of a master at once to the master, its
    /// replicas and its peers (after a promotion, or after adopting a newer configuration);
    /// the next periodic hellos follow a hello period later.
    mutating func announceConfiguration(ofMaster masterID: InstanceID, now: Milliseconds, turn: inout Turn) {
        guard let state = masters[masterID] else { return }
        for id in [masterID] + state.replicas + state.sentinels {
            announceNow(to: id, now: now, turn: &turn)
            instances[id]?.lastPublishTime = now
        }
    }
}
