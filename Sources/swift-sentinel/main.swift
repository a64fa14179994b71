import SentinelServer
import SentinelCore
print("swift-sentinel")
