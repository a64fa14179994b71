import Glibc
import XCTest

/// A fresh directory under /tmp, removed (with its plain files) on `remove()`.
final class TestDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/swift-sentinel-test-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw XCTSkip("mkdtemp failed")
        }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Names in the directory, "." and ".." excluded, sorted.
    func entries(of directory: String? = nil) -> [String] {
        guard let handle = opendir(directory ?? path) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            var nameTuple = entry.pointee.d_name
            let name = withUnsafeBytes(of: &nameTuple) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    func remove() {
        for name in entries() {
            let child = path + "/" + name
            if unlink(child) != 0 { rmdir(child) }
        }
        rmdir(path)
    }
}
