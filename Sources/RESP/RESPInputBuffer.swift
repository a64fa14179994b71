/// Bytes received from a peer and not yet parsed.
///
/// Parsing advances `readIndex` instead of removing bytes from the front; consumed bytes are
/// dropped on a later `append` once they make up at least half of the storage, so each byte is
/// moved at most a constant number of times. A search for a line ending remembers how far it
/// got, so a long line arriving in small pieces is scanned once, not once per piece.
@usableFromInline
struct RESPInputBuffer: Sendable {
    @usableFromInline var storage: [UInt8] = []
    @usableFromInline var readIndex = 0
    /// Bytes after `readIndex` already searched by `firstIndex(of:searchingAtMost:)` in vain.
    @usableFromInline var scannedCount = 0

    @usableFromInline init() {}

    /// Bytes received and not yet consumed.
    @inlinable var count: Int { storage.count - readIndex }

    @inlinable
    mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        dropConsumedBytesIfWorthwhile()
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ buffer: UnsafeRawBufferPointer) {
        dropConsumedBytesIfWorthwhile()
        buffer.withMemoryRebound(to: UInt8.self) { storage.append(contentsOf: $0) }
    }

    /// Moves the unconsumed bytes to the front when that is cheap relative to what was consumed.
    @usableFromInline
    mutating func dropConsumedBytesIfWorthwhile() {
        guard readIndex > 0 else { return }
        if readIndex == storage.count {
            // Keep a modest buffer for the next read, but give back the room of a huge element.
            if storage.capacity > 1 << 20 {
                storage = []
            } else {
                storage.removeAll(keepingCapacity: true)
            }
            readIndex = 0
        } else if readIndex >= 4096 && readIndex * 2 >= storage.count {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// Moves the unconsumed bytes to the front now, so a large element that follows can be taken
    /// out of the storage without a copy.
    mutating func dropConsumedBytes() {
        guard readIndex > 0 else { return }
        storage.removeSubrange(0..<readIndex)
        readIndex = 0
    }

    /// The unconsumed byte at `offset`.
    @inlinable
    subscript(offset: Int) -> UInt8 { storage[readIndex + offset] }

    /// The offset of the first `byte` among the first `limit` unconsumed bytes, or nil.
    /// Bytes already searched since the last `consume` are not searched again.
    mutating func firstIndex(of byte: UInt8, searchingAtMost limit: Int) -> Int? {
        let end = Swift.min(count, limit)
        guard scannedCount < end else { return nil }
        let start = readIndex
        let found: Int? = storage.withUnsafeBufferPointer { pointer in
            var offset = scannedCount
            while offset < end {
                if pointer[start + offset] == byte { return offset }
                offset += 1
            }
            return nil
        }
        scannedCount = found ?? end
        return found
    }

    /// `length` unconsumed bytes starting at `offset`, copied.
    func bytes(at offset: Int, length: Int) -> [UInt8] {
        Array(storage[(readIndex + offset)..<(readIndex + offset + length)])
    }

    /// `length` unconsumed bytes starting at `offset`, without copying.
    func slice(at offset: Int, length: Int) -> ArraySlice<UInt8> {
        storage[(readIndex + offset)..<(readIndex + offset + length)]
    }

    /// Consumes the first `length` bytes of the storage as one element and `trailing` bytes after
    /// it. When they are everything buffered and nothing was consumed before, the storage itself
    /// becomes the element and no bytes are copied.
    mutating func takeElement(length: Int, trailing: Int) -> [UInt8] {
        if isWholeLargeElement(length: length, trailing: trailing) {
            var element: [UInt8] = []
            swap(&element, &storage)
            element.removeLast(trailing)
            scannedCount = 0
            return element
        }
        let element = bytes(at: 0, length: length)
        consume(length + trailing)
        return element
    }

    /// Whether the storage holds one large element and its `trailing` bytes and nothing else,
    /// so that it can be handed over instead of copied.
    private func isWholeLargeElement(length: Int, trailing: Int) -> Bool {
        readIndex == 0 && storage.count == length + trailing && length >= 32 * 1024
    }

    /// The first `length` unconsumed bytes as a request argument sharing this storage (or, for
    /// an element that fills the storage alone, taking it), then `trailing` more, consumed.
    mutating func takeArgument(length: Int, trailing: Int) -> RequestArgument {
        if isWholeLargeElement(length: length, trailing: trailing) {
            return RequestArgument(takeElement(length: length, trailing: trailing))
        }
        let argument = RequestArgument(storage: storage, offset: readIndex, count: length)
        consume(length + trailing)
        return argument
    }

    /// The number of a complete header line `<prefix><digits>\r` (and the byte after the `\r`)
    /// at the front, and the line's length with those two bytes, when the digits are a plain
    /// number of at most 9 digits (no sign, no leading zero); nil otherwise, for the general
    /// path to decide (an incomplete line, another byte, a sign, a long or odd number).
    func plainHeaderNumber(prefix: UInt8) -> (value: Int, lineLength: Int)? {
        storage.withUnsafeBufferPointer { buffer in
            let available = buffer.count - readIndex
            guard available >= 4, buffer[readIndex] == prefix else { return nil }
            var value = 0
            var offset = 1
            while offset < available && offset <= 10 {
                let byte = buffer[readIndex + offset]
                if byte == UInt8(ascii: "\r") {
                    guard offset >= 2, offset + 1 < available else { return nil }
                    if offset > 2 && buffer[readIndex + 1] == UInt8(ascii: "0") { return nil }
                    return (value, offset + 2)
                }
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                offset += 1
            }
            return nil
        }
    }

    /// Marks the first `length` unconsumed bytes as parsed.
    mutating func consume(_ length: Int) {
        readIndex += length
        scannedCount = 0
    }
}
