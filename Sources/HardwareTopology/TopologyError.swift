/// Failures of topology discovery and thread binding. Each message names what failed and what to do.
public enum TopologyError: Error, CustomStringConvertible, Equatable {
    /// An hwloc call returned an error code.
    case hwlocCallFailed(function: String, code: Int32, errno: Int32)
    /// The topology reports no usable core (for example an empty CPU set).
    case noCores
    /// A core index outside `0..<coreCount` was asked for.
    case coreOutOfRange(index: Int, coreCount: Int)

    public var description: String {
        switch self {
        case let .hwlocCallFailed(function, code, errno):
            return "hwloc: \(function) failed (code \(code), errno \(errno)); "
                + "check that libhwloc is installed (make deps) and that /sys is readable"
        case .noCores:
            return "hwloc found no core this process may run on; check taskset/cgroup cpusets"
        case let .coreOutOfRange(index, coreCount):
            return "core \(index) does not exist: this process may use \(coreCount) core(s), numbered 0..<\(coreCount)"
        }
    }
}
