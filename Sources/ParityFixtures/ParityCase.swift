import Foundation
import Tensors

/// Errors of the fixture runner itself (as opposed to numeric mismatches).
public enum ParityError: Error, CustomStringConvertible, Equatable {
    case unknownOp(path: String, op: String)
    case badMetadata(path: String, key: String, message: String)

    public var description: String {
        switch self {
        case let .unknownOp(path, op): return "\(path): unknown op \"\(op)\"; known: \(ParityRunner.knownOps.joined(separator: ", "))"
        case let .badMetadata(path, key, message): return "\(path): metadata \(key): \(message)"
        }
    }
}

/// Typed access to a fixture file: inputs converted to the scalar type under test and the
/// op's settings from `__metadata__` (each value a JSON text, as written by the generator).
struct FixtureReader<S: TensorScalar> {
    let file: SafeTensorsFile

    func tensor(_ name: String) throws -> Tensor<S> { try file.tensor(name, as: S.self) }
    func variable(_ name: String, requiresGradient: Bool = false) throws -> Variable<S> {
        Variable(try tensor(name), requiresGradient: requiresGradient)
    }
    /// Integer class labels stored as floats.
    func labels(_ name: String) throws -> [Int] {
        let values = try file.tensor(name, as: Double.self).scalars
        return try values.map { value in
            guard value.rounded() == value, let label = Int(exactly: value) else {
                throw TensorError.malformedFile(path: file.path, message: "\(name) holds \(value), not an integer label")
            }
            return label
        }
    }

    func metadataValue(_ key: String) throws -> Any {
        guard let text = file.metadata[key] else {
            throw ParityError.badMetadata(path: file.path, key: key, message: "missing")
        }
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            throw ParityError.badMetadata(path: file.path, key: key, message: "not JSON: \(text)")
        }
        return value
    }
    func number(_ key: String) throws -> Double {
        guard let n = try metadataValue(key) as? NSNumber else {
            throw ParityError.badMetadata(path: file.path, key: key, message: "not a number: \(file.metadata[key] ?? "")")
        }
        return n.doubleValue
    }
    func number(_ key: String, default fallback: Double) throws -> Double {
        file.metadata[key] == nil ? fallback : try number(key)
    }
    func integer(_ key: String) throws -> Int {
        let value = try number(key)
        guard let n = Int(exactly: value) else { throw ParityError.badMetadata(path: file.path, key: key, message: "not an integer: \(value)") }
        return n
    }
    func integer(_ key: String, default fallback: Int) throws -> Int { file.metadata[key] == nil ? fallback : try integer(key) }
    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard file.metadata[key] != nil else { return fallback }
        guard let b = try metadataValue(key) as? Bool else {
            // The generator writes Python booleans as JSON true/false; accept 0/1 too.
            return try number(key) != 0
        }
        return b
    }
    func string(_ key: String) throws -> String {
        guard let s = try metadataValue(key) as? String else {
            throw ParityError.badMetadata(path: file.path, key: key, message: "not a string: \(file.metadata[key] ?? "")")
        }
        return s
    }
}
