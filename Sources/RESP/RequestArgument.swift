/// One argument of a client request: a view of its bytes in the buffer the request was read
/// into, so the arguments of a command share that storage instead of taking an allocation each.
///
/// Indices run from 0 to `count`, as an array's do. Keep `bytes` (or a `String`) rather than
/// the argument itself: an argument holds the whole buffer it was read into.
public struct RequestArgument: RandomAccessCollection, Hashable, Sendable, CustomStringConvertible {
    @usableFromInline let storage: [UInt8]
    @usableFromInline let offset: Int
    public let count: Int

    /// An argument that owns `bytes`.
    @inlinable
    public init(_ bytes: [UInt8]) {
        storage = bytes
        offset = 0
        count = bytes.count
    }

    /// `count` bytes of `storage` from `offset`.
    @inlinable
    init(storage: [UInt8], offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= storage.count, "argument outside its storage")
        self.storage = storage
        self.offset = offset
        self.count = count
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "argument index out of range")
        return storage[offset &+ position]
    }

    @inlinable
    public func withContiguousStorageIfAvailable<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result? {
        try storage.withUnsafeBufferPointer { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[offset..<(offset + count)]))
        }
    }

    /// The bytes, as an array of their own.
    @inlinable
    public var bytes: [UInt8] {
        offset == 0 && count == storage.count ? storage : Array(storage[offset..<(offset + count)])
    }

    @inlinable
    public static func == (left: RequestArgument, right: RequestArgument) -> Bool {
        left.count == right.count && left.elementsEqual(right)
    }

    public func hash(into hasher: inout Hasher) {
        withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    public var description: String { String(decoding: self, as: UTF8.self) }
}

extension RequestArgument: ExpressibleByStringLiteral {
    /// An argument with the UTF-8 bytes of `value` (for tests and inputs made in code).
    public init(stringLiteral value: String) {
        self.init(Array(value.utf8))
    }
}
