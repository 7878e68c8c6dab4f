import FTCore
import Foundation

/// Reader and writer for the safetensors format: an 8-byte little-endian header length, a JSON
/// header mapping names to {dtype, shape, data_offsets}, then the raw little-endian bytes.
/// The reader maps the file into memory and checks every claim of the header against the file
/// before any tensor is touched, so a truncated or lying file gives an error, never a crash.
public final class SafetensorsFile: @unchecked Sendable {
    public enum DType: String, Sendable { case f32 = "F32", f16 = "F16", bf16 = "BF16"
        var size: Int { self == .f32 ? 4 : 2 }
    }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// Byte range within the data section.
        public var begin: Int, end: Int
        public var count: Int { shape.reduce(1, *) }
    }

    public let path: String
    public let entries: [String: Entry]
    /// Tensor names in file order (by offset).
    public let names: [String]
    public let metadata: [String: String]
    private let base: UnsafeMutableRawPointer
    private let mappedSize: Int
    private let dataStart: Int

    static let maxHeader = 100 << 20

    public init(path: String) throws(Diagnostic) {
        self.path = path
        func bad(_ m: String) -> Diagnostic { .error("\(path): \(m)", id: "model.bad-safetensors") }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw .error("cannot open \(path): \(String(cString: strerror(errno)))", id: "model.missing-file")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw bad("cannot stat file") }
        let size = Int(st.st_size)
        guard size >= 8 else { throw bad("file is \(size) bytes, too short for a safetensors header") }
        guard let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw bad("cannot map file: \(String(cString: strerror(errno)))")
        }
        base = m
        mappedSize = size
        do throws(Diagnostic) {
            let headerLen = Int(UInt64(littleEndian: m.loadUnaligned(as: UInt64.self)) & 0x7FFF_FFFF_FFFF_FFFF)
            guard headerLen <= Self.maxHeader else { throw bad("header length \(headerLen) is implausibly large") }
            guard 8 + headerLen <= size else {
                throw bad("header claims \(headerLen) bytes but the file has only \(size - 8) after the length (truncated?)")
            }
            dataStart = 8 + headerLen
            let headerBytes = Array(UnsafeRawBufferPointer(start: m + 8, count: headerLen))
            let header: Value
            do { header = try JSON.decode(bytes: headerBytes, file: path + " header") } catch {
                throw Diagnostic.error("\(path): header is not valid JSON: \(error.message)", id: "model.bad-safetensors")
            }
            guard let rec = header.recordValue else { throw bad("header is not a JSON object") }
            let dataSize = size - dataStart
            var entries: [String: Entry] = [:]
            var meta: [String: String] = [:]
            for (name, v) in rec {
                if name == "__metadata__" {
                    for (k, x) in v.recordValue ?? Record() { meta[k] = x.stringValue ?? JSON.encode(x) }
                    continue
                }
                guard let r = v.recordValue else { throw bad("entry \"\(name)\" is not an object") }
                guard let ds = r["dtype"]?.stringValue else { throw bad("entry \"\(name)\" has no dtype") }
                guard let dtype = DType(rawValue: ds) else {
                    throw bad("tensor \"\(name)\" has dtype \(ds); ftsh reads F32, F16 and BF16")
                }
                guard let shapeList = r["shape"]?.listValue else { throw bad("tensor \"\(name)\" has no shape") }
                var shape: [Int] = []
                var count = 1
                for d in shapeList {
                    guard let n = d.intValue, n >= 0, n < 1 << 40 else { throw bad("tensor \"\(name)\" has a bad shape") }
                    shape.append(n)
                    let (prod, overflow) = count.multipliedReportingOverflow(by: n)
                    guard !overflow, prod < 1 << 40 else { throw bad("tensor \"\(name)\" is implausibly large") }
                    count = prod
                }
                guard let offs = r["data_offsets"]?.listValue, offs.count == 2,
                      let b = offs[0].intValue, let e = offs[1].intValue, b >= 0, e >= b else {
                    throw bad("tensor \"\(name)\" has bad data_offsets")
                }
                guard e - b == count * dtype.size else {
                    throw bad("tensor \"\(name)\" \(shape) \(ds) needs \(count * dtype.size) bytes but its offsets span \(e - b)")
                }
                guard e <= dataSize else {
                    throw bad("tensor \"\(name)\" ends at byte \(e) of a \(dataSize)-byte data section (truncated file?)")
                }
                entries[name] = Entry(name: name, dtype: dtype, shape: shape, begin: b, end: e)
            }
            let ordered = entries.values.sorted { ($0.begin, $0.name) < ($1.begin, $1.name) }
            for (x, y) in zip(ordered, ordered.dropFirst()) where y.begin < x.end && y.end > y.begin && x.end > x.begin {
                throw bad("tensors \"\(x.name)\" and \"\(y.name)\" overlap")
            }
            self.entries = entries
            names = ordered.map(\.name)
            metadata = meta
        } catch {
            munmap(m, size)
            throw error
        }
    }

    deinit { munmap(base, mappedSize) }

    /// Converts tensor `name` to fp32 into `out` (which holds `entry.count` floats).
    public func read(_ name: String, into out: UnsafeMutablePointer<Float>) throws(Diagnostic) {
        guard let e = entries[name] else { throw .error("\(path): no tensor \"\(name)\"", id: "model.missing-tensor") }
        let src = UnsafeRawPointer(base + dataStart + e.begin)
        let n = e.count
        switch e.dtype {
        case .f32:
            UnsafeMutableRawPointer(out).copyMemory(from: src, byteCount: n * 4)
        case .f16:
            for i in 0..<n { out[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        case .bf16:
            for i in 0..<n {
                let bits = UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16
                out[i] = Float(bitPattern: bits)
            }
        }
    }

    /// Tensor `name` as a new fp32 array.
    public func floats(_ name: String) throws(Diagnostic) -> [Float] {
        guard let e = entries[name] else { throw .error("\(path): no tensor \"\(name)\"", id: "model.missing-tensor") }
        var out = [Float](repeating: 0, count: e.count)
        try out.withUnsafeMutableBufferPointer { (b) throws(Diagnostic) in try read(name, into: b.baseAddress!) }
        return out
    }

    // MARK: Writing

    /// A tensor to write: fp32 values stored as `dtype`.
    public struct Tensor {
        public var name: String
        public var shape: [Int]
        public var values: UnsafeBufferPointer<Float>
        public init(name: String, shape: [Int], values: UnsafeBufferPointer<Float>) {
            self.name = name; self.shape = shape; self.values = values
        }
    }

    /// Encodes tensors in the given order with `metadata` (HF writes {"format": "pt"}).
    public static func encode(_ tensors: [Tensor], dtype: DType = .f32, metadata: [String: String] = ["format": "pt"]) -> Data {
        var header = Record()
        if !metadata.isEmpty {
            var m = Record()
            for k in metadata.keys.sorted() { m[k] = .string(metadata[k]!) }
            header["__metadata__"] = .record(m)
        }
        var offset = 0
        for t in tensors {
            let bytes = t.values.count * dtype.size
            header[t.name] = .record(["dtype": .string(dtype.rawValue), "shape": .list(t.shape.map { .int($0) }),
                                      "data_offsets": [.int(offset), .int(offset + bytes)]])
            offset += bytes
        }
        var json = Array(JSON.encode(.record(header)).utf8)
        while (8 + json.count) % 8 != 0 { json.append(0x20) } // keep the data 8-byte aligned
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: json)
        for t in tensors {
            switch dtype {
            case .f32:
                data.append(contentsOf: UnsafeRawBufferPointer(t.values))
            case .f16:
                var tmp = [UInt16](repeating: 0, count: t.values.count)
                for i in 0..<t.values.count { tmp[i] = Float16(t.values[i]).bitPattern.littleEndian }
                tmp.withUnsafeBytes { data.append(contentsOf: $0) }
            case .bf16:
                var tmp = [UInt16](repeating: 0, count: t.values.count)
                for i in 0..<t.values.count { tmp[i] = bfloat16Bits(t.values[i]).littleEndian }
                tmp.withUnsafeBytes { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes tensors atomically to `path`.
    public static func write(_ tensors: [Tensor], to path: String, dtype: DType = .f32,
                             metadata: [String: String] = ["format": "pt"], overwrite: Bool) throws(Diagnostic) {
        try AtomicFile.write(encode(tensors, dtype: dtype, metadata: metadata), to: path, overwrite: overwrite)
    }
}

/// Rounds to bfloat16 (nearest, ties to even), keeping NaN a NaN.
func bfloat16Bits(_ x: Float) -> UInt16 {
    let bits = x.bitPattern
    if x.isNaN { return UInt16(bits >> 16) | 0x40 }
    let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
    return UInt16(rounded >> 16)
}
