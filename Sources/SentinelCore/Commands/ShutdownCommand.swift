import RESP
extension Sentinel {
    /// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`, checked as Redis 7.0 checks it: an
    /// unknown word, `ABORT` with any other flag, or both `NOSAVE` and `SAVE` answer
    /// `-ERR syntax error`; `ABORT` alone answers `-ERR No shutdown in progress.` (a sentinel's
    /// shutdown never waits for replicas, so none is ever in progress). Every other form shuts
    /// down; a sentinel never saves a dataset, so the flags change nothing. Words are
    /// compared ignoring ASCII case.
    mutating func shutdownCommand(_ client: ClientID, _ arguments: [RequestArgument], turn: inout Turn) {
        var save = false
        var noSave = false
        var otherFlags = false
        var abort = false
        for argument in arguments.dropFirst() {
            func isWord(_ word: String) -> Bool { CommandDescription.equalIgnoringCase(argument, Array(word.utf8)) }
            if isWord("nosave") {
                noSave = true
            } else if isWord("save") {
                save = true
            } else if isWord("now") || isWord("force") {
                otherFlags = true
            } else if isWord("abort") {
                abort = true
            } else {
                return replyError(to: client, "ERR syntax error", turn: &turn)
            }
        }
        if (abort && (save || noSave || otherFlags)) || (save && noSave) {
            return replyError(to: client, "ERR syntax error", turn: &turn)
        }
        if abort {
            return replyError(to: client, "ERR No shutdown in progress.", turn: &turn)
        }
        shutdown(reason: "User requested shutdown...", turn: &turn)
    }
}
