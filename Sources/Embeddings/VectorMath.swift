// Unsafe code allowed here: numeric kernels (an exponent field built by a SIMD bit cast).

/// Eight-lane exp and erf for the GELU and softmax kernels, in AVX2 registers, with their
/// accuracy stated; `Kernels` keeps the libm versions (`expf`, `erff`) as references.
enum VectorMath {
    /// e^x, relative error below 2e-7 for x in [-87, 88]; 0 below -87.3, clamped above 88.3.
    /// Cody–Waite range reduction x = n·ln 2 + r, then Cephes' `expf` polynomial for e^r.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Masked selects rather than clamped(lowerBound:upperBound:), whose generic pointwiseMin/Max
        // were not inlined (11% of a chunk's time in a profile).
        let floor = x.replacing(with: -87.3, where: x .< -87.3)
        let clamped = floor.replacing(with: 88.3, where: floor .> 88.3)
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)          // 1/ln 2
        var r = clamped - n * 0.693_359_375                                  // ln 2, high part (exact in binary)
        r = r - n * -2.121_944_4e-4                                          // ln 2, low part
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let mantissa = p * (r * r) + r + 1
        // 2^n as an IEEE-754 float, without a (slow, per-lane) float-to-int conversion: adding
        // 1.5·2^23 leaves n in the low mantissa bits, and shifting them by 23 drops the rest.
        let shifted = unsafe unsafeBitCast(n + 12_582_912, to: SIMD8<UInt32>.self)
        let scale = unsafe unsafeBitCast((shifted &<< 23) &+ (127 << 23), to: SIMD8<Float>.self)
        return (mantissa * scale).replacing(with: 0, where: x .< -87.3)
    }

    /// erf(x), absolute error below 1.5e-7 (Abramowitz & Stegun 7.1.26).
    @inline(__always)
    static func erf(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magnitude = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.327_591_1 * magnitude)
        var p = SIMD8<Float>(repeating: 1.061_405_429)
        p = p * t - 1.453_152_027
        p = p * t + 1.421_413_741
        p = p * t - 0.284_496_736
        p = p * t + 0.254_829_592
        let y = 1 - p * t * exp(-(magnitude * magnitude))
        return y.replacing(with: -y, where: x .< 0)
    }
}
