import CSystem
import Glibc
import SentinelCore

/// The TLS context new connections use, made again from the same directives when the files
/// change or on SIGHUP, so that certificates can be rotated without a restart.
///
/// Redis 7.0 reads its certificates once (a restart, or `CONFIG SET` of a file name, loads new
/// ones). Here the files named by `tls-cert-file`, `tls-key-file`, `tls-client-cert-file`,
/// `tls-client-key-file`, `tls-ca-cert-file`, `tls-ca-cert-dir` and `tls-dh-params-file` are
/// checked once a second (`stat`, following symbolic links, so a Kubernetes-style swap of a
/// linked folder counts); when any changed, or on `reload()`, a whole new context is made. A
/// context that fails to load (a certificate written before its key, a typo) is reported and
/// the previous one stays. Connections already open keep the context they started with.
public final class TLSCertificates {
    /// How often the files are checked.
    public static let checkIntervalMilliseconds: Int64 = 1000

    /// The context new connections use.
    public private(set) var context: TLSContext
    private let configuration: TLSConfiguration
    private var fingerprints: [FileFingerprint?]
    private var checkTimer: TimerID?
    private weak var loop: EpollLoop?

    /// Makes the first context; fails with Redis's reason when it cannot be made.
    public init(configuration: TLSConfiguration) throws(TLSSetupError) {
        self.configuration = configuration
        self.fingerprints = Self.fingerprints(of: configuration)
        switch TLSContext.make(configuration) {
        case .success(let context): self.context = context
        case .failure(let error): throw error
        }
    }

    deinit {
        if let checkTimer { loop?.cancelTimer(checkTimer) }
    }

    /// Makes a new context from the files as they are now; on failure keeps the current one.
    @discardableResult
    public func reload() -> Result<Void, TLSSetupError> {
        fingerprints = Self.fingerprints(of: configuration)
        switch TLSContext.make(configuration) {
        case .success(let context):
            self.context = context
            return .success(())
        case .failure(let error):
            return .failure(error)
        }
    }

    /// Checks the files every `checkIntervalMilliseconds` on `loop` and reloads when one
    /// changed, telling `onReload` the outcome.
    public func watchFiles(on loop: EpollLoop, onReload: @escaping (Result<Void, TLSSetupError>) -> Void) {
        self.loop = loop
        checkTimer = loop.scheduleTimer(afterMilliseconds: Self.checkIntervalMilliseconds) { [weak self] in
            guard let self else { return }
            self.checkTimer = nil
            if Self.fingerprints(of: self.configuration) != self.fingerprints { onReload(self.reload()) }
            self.watchFiles(on: loop, onReload: onReload)
        }
    }

    /// The files a context is made from.
    static func paths(of configuration: TLSConfiguration) -> [String] {
        [configuration.certificateFile, configuration.keyFile, configuration.clientCertificateFile,
         configuration.clientKeyFile, configuration.caCertificateFile, configuration.caCertificateDirectory,
         configuration.dhParametersFile].compactMap { $0 }
    }

    static func fingerprints(of configuration: TLSConfiguration) -> [FileFingerprint?] {
        paths(of: configuration).map(FileFingerprint.init(path:))
    }
}

/// What tells one version of a file from another without reading it: the inode it resolves
/// to, its size, and its modification and status-change times in nanoseconds (a file
/// replaced by a rename has a new inode; one rewritten in place a new mtime and ctime).
struct FileFingerprint: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: Int64
    let changed: Int64

    /// nil when the file cannot be stat'ed (missing, for now).
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modified = Int64(status.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(status.st_mtim.tv_nsec)
        changed = Int64(status.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(status.st_ctim.tv_nsec)
    }
}
