extension Array where Element == UInt8 {
    /// Calls `body` with consecutive pieces of at most `length` bytes, as a socket's reads
    /// could deliver these bytes, until it returns false. Each piece is a view of the array,
    /// handed over the way the server hands its read buffer to a parser: no piece is copied,
    /// so a target that reads 4 KiB byte by byte does not spend its time allocating.
    func forEachRead<Failure: Error>(ofAtMost length: Int, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Bool) throws(Failure) {
        var failure: Failure?
        withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                let end = Swift.min(start + length, all.count)
                do throws(Failure) {
                    guard try body(UnsafeRawBufferPointer(rebasing: all[start..<end])) else { return }
                } catch {
                    failure = error
                    return
                }
                start = end
            }
        }
        if let failure { throw failure }
    }
}
