import Testing
@testable import Embeddings

@Suite struct SafetensorsFileTests {
    @Test func readerViewsTensorsOfAValidFile() throws {
        let directory = try ScratchDirectory()
        let path = try directory.write("ok.safetensors", SafetensorsBytes.valid())
        let file = try SafetensorsFile(path: path)
        #expect(file.header.tensors.map(\.name) == ["a", "b"])
        #expect(try file.floatTensor("a", expectedShape: [2, 2]).values == [1, 2, 3, 4])
        #expect(try file.floatTensor("b").values == [5, 6, 7])
    }

    @Test func readerConvertsHalfPrecisionAndUnalignedData() throws {
        // Header padded to 9 bytes so F32 data starts at file offset 17: unaligned, must be copied.
        let header = "{" + SafetensorsBytes.entry("h", "F16", [2], 0, 4) + ", " + SafetensorsBytes.entry("f", "F32", [1], 4, 8) + "}"
        let halves: [UInt8] = [0x00, 0x3C, 0x00, 0xC0]   // 1.0, -2.0 in IEEE binary16
        let directory = try ScratchDirectory()
        let path = try directory.write("half.safetensors", SafetensorsBytes.file(header: header + " ", data: halves + SafetensorsBytes.float32([0.5])))
        let file = try SafetensorsFile(path: path)
        #expect(try file.floatTensor("h").values == [1, -2])
        #expect(try file.floatTensor("f").values == [0.5])
    }

    @Test func rowsReadWithPreadEqualTheMappedRows() throws {
        // A (4, 3) F32 tensor and a (2, 2) F16 one (read through the mapping's fallback).
        let header = "{" + SafetensorsBytes.entry("t", "F32", [4, 3], 0, 48) + ", " + SafetensorsBytes.entry("h", "F16", [2, 2], 48, 56) + "}"
        let data = SafetensorsBytes.float32((0..<12).map(Float.init)) + [0x00, 0x3C, 0x00, 0x40, 0x00, 0x42, 0x00, 0x44]
        let directory = try ScratchDirectory()
        let file = try SafetensorsFile(path: try directory.write("rows.safetensors", SafetensorsBytes.file(header: header, data: data)))
        let tensor = try file.floatTensor("t", expectedShape: [4, 3])
        for rows in [0..<1, 1..<3, 0..<4, 3..<4, 2..<2] {
            var buffer = [Float](repeating: -1, count: 14)
            file.readRows(rows, of: tensor, named: "t", into: &buffer, at: 1)
            #expect(Array(buffer[1..<1 + rows.count * 3]) == tensor.values[rows.lowerBound * 3..<rows.upperBound * 3].map { $0 }, "\(rows)")
            #expect(buffer[0] == -1 && buffer[(1 + rows.count * 3)...].allSatisfy { $0 == -1 }, "\(rows) wrote outside its rows")
        }
        var single = [Float](repeating: 0, count: 3)
        file.readRow(2, of: tensor, named: "t", into: &single, at: 0)
        #expect(single == [6, 7, 8])
        let half = try file.floatTensor("h", expectedShape: [2, 2])
        var halfRows = [Float](repeating: 0, count: 4)
        file.readRows(0..<2, of: half, named: "h", into: &halfRows, at: 0)
        #expect(halfRows == [1, 2, 3, 4])
    }

    /// Each damaged file and the specific error the reader must give.
    static let corruptions: [(name: String, bytes: [UInt8], expected: EmbeddingError)] = {
        let path = "damaged.safetensors"
        let data = SafetensorsBytes.float32([1, 2, 3, 4, 5, 6, 7])
        func file(_ entries: String...) -> [UInt8] {
            SafetensorsBytes.file(header: "{" + entries.joined(separator: ", ") + "}", data: data)
        }
        let e = SafetensorsBytes.entry
        let valid = SafetensorsBytes.valid()
        return [
            ("truncated length prefix", Array(valid.prefix(5)), .fileTooSmall(path: path, byteCount: 5)),
            ("header past end of file", Array(valid.prefix(40)),
             .headerPastEndOfFile(path: path, declaredByteCount: UInt64(valid.count - 28 - 8), fileByteCount: 40)),
            ("header size above limit", SafetensorsBytes.file(header: "{}", data: [], declaredHeaderByteCount: 1 << 40),
             .headerTooLarge(path: path, declaredByteCount: 1 << 40, limit: SafetensorsHeader.maximumByteCount)),
            ("header not JSON", SafetensorsBytes.file(header: "{\"a\": [", data: []),
             .headerNotJSON(path: path, reason: "")),
            ("unknown dtype", file(e("a", "F33", [2, 2], 0, 16), e("b", "F32", [3], 16, 28)),
             .unknownDType(path: path, tensor: "a", dtype: "F33")),
            ("shape disagrees with offsets", file(e("a", "F32", [2, 3], 0, 16), e("b", "F32", [3], 16, 28)),
             .byteCountMismatch(path: path, tensor: "a", shape: [2, 3], expectedByteCount: 24, foundByteCount: 16)),
            ("offsets past the data", file(e("a", "F32", [2, 2], 0, 16), e("b", "F32", [4], 16, 32)),
             .offsetsOutOfBounds(path: path, tensor: "b", begin: 16, end: 32, dataByteCount: 28)),
            ("reversed offsets", file(e("a", "F32", [2, 2], 16, 0), e("b", "F32", [3], 16, 28)),
             .offsetsOutOfBounds(path: path, tensor: "a", begin: 16, end: 0, dataByteCount: 28)),
            ("overlapping tensors", file(e("a", "F32", [2, 2], 0, 16), e("b", "F32", [3], 12, 24), e("c", "F32", [1], 24, 28)),
             .overlappingTensors(path: path, tensor: "b", overlapped: "a")),
            ("hole between tensors", file(e("a", "F32", [2, 2], 0, 16), e("b", "F32", [2], 20, 28)),
             .unclaimedBytes(path: path, tensor: "b", byteOffset: 16, byteCount: 4)),
            ("bytes after the last tensor", file(e("a", "F32", [2, 2], 0, 16), e("b", "F32", [2], 16, 24)),
             .unclaimedBytes(path: path, tensor: nil, byteOffset: 24, byteCount: 4)),
            ("entry without offsets", file("\"a\": {\"dtype\": \"F32\", \"shape\": [7]}"),
             .malformedTensorEntry(path: path, tensor: "a", reason: "data_offsets is not a pair of byte offsets")),
        ]
    }()

    @Test(arguments: corruptions.indices)
    func readerRejectsDamagedFile(_ index: Int) throws {
        let corruption = Self.corruptions[index]
        let directory = try ScratchDirectory()
        let path = try directory.write("damaged.safetensors", corruption.bytes)
        let error = #expect(throws: EmbeddingError.self, "\(corruption.name)") { try SafetensorsFile(path: path) }
        guard let error else { return }
        if case .headerNotJSON = corruption.expected, case .headerNotJSON(let errorPath, _) = error {
            #expect(errorPath == path)   // the decoder's wording is not ours to pin
        } else {
            #expect(error == corruption.expected.at(path), "\(corruption.name): \(error)")
        }
    }

    @Test func missingTensorIsNamed() throws {
        let directory = try ScratchDirectory()
        let path = try directory.write("ok.safetensors", SafetensorsBytes.valid())
        let file = try SafetensorsFile(path: path)
        #expect(throws: EmbeddingError.missingTensor(path: path, tensor: "encoder.layer.0.attention.self.query.weight")) {
            try file.floatTensor("encoder.layer.0.attention.self.query.weight")
        }
        #expect(throws: EmbeddingError.unexpectedShape(path: path, tensor: "a", expected: [4], found: [2, 2])) {
            try file.floatTensor("a", expectedShape: [4])
        }
    }

    /// Damaged files never crash the reader: 300 seeded mutations (byte flips, truncations) of a
    /// valid file each load or give an EmbeddingError. A failure names its seed.
    @Test func seededMutationsNeverCrash() throws {
        let directory = try ScratchDirectory()
        let valid = SafetensorsBytes.valid()
        for seed in UInt64(1)...300 {
            var random = SeededRandom(seed: seed)
            var bytes = valid
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let index = Int(random.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: random.next())
            }
            if random.next() % 4 == 0 { bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count)))) }
            let path = try directory.write("mutated-\(seed).safetensors", bytes)
            do {
                let file = try SafetensorsFile(path: path)
                for tensor in file.header.tensors where tensor.dtype == .f32 || tensor.dtype == .f16 || tensor.dtype == .bf16 {
                    _ = try file.floatTensor(tensor.name).values
                }
            } catch {
                #expect("\(error)".contains(path), "seed \(seed): the message names the file")
            }
        }
    }

    @Test func absentFileIsUnreadable() {
        let error = #expect(throws: EmbeddingError.self) { try SafetensorsFile(path: "/nonexistent/model.safetensors") }
        #expect("\(error.map { "\($0)" } ?? "")".contains("/nonexistent/model.safetensors"))
    }
}

extension EmbeddingError {
    /// The same error with the file path replaced, so the table can be written before the file exists.
    func at(_ path: String) -> EmbeddingError {
        switch self {
        case .fileTooSmall(_, let count): .fileTooSmall(path: path, byteCount: count)
        case .headerTooLarge(_, let declared, let limit): .headerTooLarge(path: path, declaredByteCount: declared, limit: limit)
        case .headerPastEndOfFile(_, let declared, let count): .headerPastEndOfFile(path: path, declaredByteCount: declared, fileByteCount: count)
        case .headerNotJSON(_, let reason): .headerNotJSON(path: path, reason: reason)
        case .malformedTensorEntry(_, let tensor, let reason): .malformedTensorEntry(path: path, tensor: tensor, reason: reason)
        case .unknownDType(_, let tensor, let dtype): .unknownDType(path: path, tensor: tensor, dtype: dtype)
        case .byteCountMismatch(_, let tensor, let shape, let expected, let found):
            .byteCountMismatch(path: path, tensor: tensor, shape: shape, expectedByteCount: expected, foundByteCount: found)
        case .offsetsOutOfBounds(_, let tensor, let begin, let end, let count):
            .offsetsOutOfBounds(path: path, tensor: tensor, begin: begin, end: end, dataByteCount: count)
        case .overlappingTensors(_, let tensor, let overlapped): .overlappingTensors(path: path, tensor: tensor, overlapped: overlapped)
        case .unclaimedBytes(_, let tensor, let offset, let count): .unclaimedBytes(path: path, tensor: tensor, byteOffset: offset, byteCount: count)
        default: self
        }
    }
}
