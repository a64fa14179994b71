import SentinelCore
import CSystem
/// The IO shell around `Sentinel`.
public enum SentinelServerPlaceholder {}
