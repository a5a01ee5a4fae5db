/// The encoder's numeric revision. Bump it with any change that can alter a vector's bits
/// (another summation order in a kernel, a new GELU or softmax): the compiler's embedding cache
/// keys vectors on it with the model's fingerprint, so a warm build after such a change embeds
/// afresh and gives the same bytes a cold build would.
public enum EncoderRevision {
    public static let current = 2
}
