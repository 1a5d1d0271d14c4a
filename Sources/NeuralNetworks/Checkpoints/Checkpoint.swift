import Foundation

/// Everything needed to resume a run, in one safetensors file: the state of any number of
/// modules and optimizers under name prefixes, and small Codable records (epoch, step,
/// generator states, mask state) as JSON in the header's metadata.
///
/// Module state is stored under `<prefix><parameter name>` with the parameter names of
/// ``Layer/namedState``: with an empty prefix a file holds exactly a PyTorch `state_dict`
/// of the same structure, and such a file saved by PyTorch loads here.
///
/// Writes are atomic (temporary file, then rename): a crash never leaves a half-written
/// checkpoint and never clobbers the previous one. Reads check everything and throw an
/// error that names the file and the tensor that is missing, mis-shaped or of the wrong dtype.
public struct Checkpoint<Scalar: TensorScalar> {
    public private(set) var tensors: [String: Tensor<Scalar>] = [:]
    public private(set) var metadata: [String: String] = [:]
    /// Where the checkpoint was read from, for messages.
    public let path: String

    public init() { path = "<new checkpoint>" }

    // MARK: Building

    /// Stores every parameter and buffer of `layer` under `prefix`.
    public mutating func store(_ layer: some Layer<Scalar>, prefix: String = "") {
        for (name, variable) in layer.namedState { tensors[prefix + name] = variable.value }
    }

    /// Stores one tensor under a full name (for extra state of a training program).
    public mutating func storeTensor(_ tensor: Tensor<Scalar>, name: String) { tensors[name] = tensor }

    /// Stores an optimizer's per-parameter state under `prefix`.
    public mutating func store(_ optimizer: some Optimizer<Scalar>, prefix: String) {
        for (name, tensor) in optimizer.state { tensors[prefix + name] = tensor }
    }

    /// Stores a Codable record as JSON under `key`.
    public mutating func store<T: Encodable>(_ record: T, key: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        metadata[key] = String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    /// Writes the checkpoint atomically.
    /// - Throws: `TensorError.nonFiniteValues` (Tensors) when a tensor holds
    ///   NaN or infinity: diverged weights are never saved, and the file at `url` (the last
    ///   good checkpoint) stays as it was.
    public func write(to url: URL) throws {
        if let (name, count) = firstNonFiniteTensor() {
            throw TensorError.nonFiniteValues(tensor: name, count: count, context: "refusing to write \(url.path)")
        }
        try SafeTensorsWriter.write(tensors, metadata: metadata, to: url)
    }

    /// The first tensor (by name) holding NaN or infinity, with how many such values it has.
    public func firstNonFiniteTensor() -> (name: String, count: Int)? {
        for name in tensors.keys.sorted() {
            let count = tensors[name]!.nonFiniteCount
            if count > 0 { return (name, count) }
        }
        return nil
    }

    // MARK: Reading

    /// Reads a checkpoint. Every tensor must have this scalar type's dtype unless
    /// `convertingDType` is set (for example to load PyTorch's float64 weights into Float).
    public init(contentsOf url: URL, convertingDType: Bool = false) throws {
        let file = try SafeTensorsFile(contentsOf: url)
        try self.init(file: file, convertingDType: convertingDType)
    }

    public init(file: SafeTensorsFile, convertingDType: Bool = false) throws {
        path = file.path
        metadata = file.metadata
        for name in file.names {
            guard let entry = file.entry(name) else { continue }
            if !convertingDType && entry.dtype != Scalar.safetensorsDType {
                throw TensorError.malformedFile(path: file.path, message: "tensor \(name) has dtype \(entry.dtype), expected \(Scalar.safetensorsDType)")
            }
            tensors[name] = try file.tensor(name, as: Scalar.self)
        }
    }

    /// Copies state into `layer` from `<prefix><name>`.
    /// - Parameters:
    ///   - layer: the layer whose parameters and buffers (``Layer/namedState``) are overwritten.
    ///   - prefix: prepended to each of the layer's names to find its tensor in the file
    ///     (`"classifier."`, say); default empty.
    ///   - strict: also reject tensors under `prefix` that match nothing in the layer
    ///     (a checkpoint of another architecture). With an empty prefix that is every tensor
    ///     of the file, so give each module of a multi-module checkpoint its own prefix.
    /// - Throws: `TensorError.missingTensor`, a shape error naming the tensor, or
    ///   `TensorError.nonFiniteValues` (Tensors) for weights holding NaN or infinity.
    ///   Nothing is changed unless every tensor fits.
    public func restore(_ layer: some Layer<Scalar>, prefix: String = "", strict: Bool = true) throws {
        let state = layer.namedState
        var updates: [(Variable<Scalar>, Tensor<Scalar>)] = []
        for (name, variable) in state {
            guard let tensor = tensors[prefix + name] else { throw TensorError.missingTensor(name: prefix + name, path: path) }
            guard tensor.shape == variable.shape else {
                throw TensorError.shapeMismatch(op: "restore \(prefix + name) from \(path)", expected: "\(variable.shape)", actual: tensor.shape)
            }
            let nonFinite = tensor.nonFiniteCount
            guard nonFinite == 0 else {
                throw TensorError.nonFiniteValues(tensor: prefix + name, count: nonFinite, context: "cannot load \(path)")
            }
            updates.append((variable, tensor))
        }
        if strict {
            let known = Set(state.map { prefix + $0.name })
            if let extra = tensors.keys.filter({ $0.hasPrefix(prefix) && !known.contains($0) }).sorted().first {
                throw TensorError.malformedFile(path: path, message: "\(extra) matches no parameter of the model (another architecture?)")
            }
        }
        for (variable, tensor) in updates { variable.value = tensor }
    }

    /// Restores an optimizer's state from the tensors under `prefix`.
    public func restore(_ optimizer: some Optimizer<Scalar>, prefix: String) throws {
        var state: [String: Tensor<Scalar>] = [:]
        for (name, tensor) in tensors where name.hasPrefix(prefix) {
            let nonFinite = tensor.nonFiniteCount
            guard nonFinite == 0 else { throw TensorError.nonFiniteValues(tensor: name, count: nonFinite, context: "cannot load \(path)") }
            state[String(name.dropFirst(prefix.count))] = tensor
        }
        do { try optimizer.loadState(state) } catch {
            throw TensorError.malformedFile(path: path, message: "optimizer state under \(prefix): \(error)")
        }
    }

    /// Decodes the record stored under `key`.
    public func record<T: Decodable>(_ type: T.Type, key: String) throws -> T {
        guard let text = metadata[key] else { throw TensorError.malformedFile(path: path, message: "no \(key) record") }
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw TensorError.malformedFile(path: path, message: "\(key) record is not valid: \(error)")
        }
    }
}
