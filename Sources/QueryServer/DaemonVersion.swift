/// The daemon's version, reported by /health, /v1/status and `policyd --version`.
public enum DaemonVersion {
    public static let current = "0.1.0"
}
