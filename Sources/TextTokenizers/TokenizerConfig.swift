import Foundation
import PrefixSupport

/// The fields of a Hugging Face `tokenizer_config.json` that generation needs.
public struct TokenizerConfig: Sendable, Equatable {
    /// `bos_token` text (for example `"<|im_start|>"`), if set.
    public var bosToken: String?
    /// `eos_token` text (for example `"<|im_end|>"`), if set.
    public var eosToken: String?
    /// `pad_token` text, if set.
    public var padToken: String?
    /// `add_bos_token` (false when absent).
    public var addBOSToken: Bool
    /// `chat_template` (a string, or the `"default"` entry of a list of named templates).
    public var chatTemplate: String?

    /// Parses `tokenizer_config.json` bytes; unknown fields are ignored.
    /// - Throws: ``TokenizerError`` for invalid JSON or wrongly typed fields.
    public init(jsonData data: Data, source: String = "tokenizer_config.json") throws {
        let root = try JSONNode.parseObject(data, source: source)
        let reader = JSONFieldReader(source: source)
        /// A token is a string or an AddedToken object `{"content": ...}`.
        func token(_ field: String) throws -> String? {
            guard let value = root[field], !value.isNull else { return nil }
            if case .object(let object) = value {
                return try reader.string(object["content"] ?? .null, field + ".content")
            }
            return try reader.string(value, field)
        }
        bosToken = try token("bos_token")
        eosToken = try token("eos_token")
        padToken = try token("pad_token")
        addBOSToken = try root["add_bos_token"].map { $0.isNull ? false : try reader.bool($0, "add_bos_token") } ?? false
        switch root["chat_template"] {
        case nil, .null?:
            chatTemplate = nil
        case .array(let list)?:
            chatTemplate = nil
            for (index, entry) in list.enumerated() {
                let object = try reader.object(entry, "chat_template[\(index)]")
                if try reader.string(object["name"] ?? .null, "chat_template[\(index)].name") == "default" {
                    chatTemplate = try reader.string(object["template"] ?? .null, "chat_template[\(index)].template")
                }
            }
        case let value?:
            chatTemplate = try reader.string(value, "chat_template")
        }
    }
}

extension BPETokenizer {
    /// Reads a Hugging Face model folder: `tokenizer.json`, and `tokenizer_config.json` when
    /// present for the BOS/EOS tokens. (The chat template is in ``TokenizerConfig/chatTemplate``.)
    /// - Throws: ``TokenizerError``.
    public convenience init(huggingFaceDirectory directory: URL) throws {
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        var config: TokenizerConfig?
        if FileManager.default.fileExists(atPath: configURL.path) {
            config = try TokenizerConfig(jsonData: try readTokenizerFile(configURL), source: configURL.path)
        }
        let url = directory.appendingPathComponent("tokenizer.json")
        try self.init(tokenizerJSON: try readTokenizerFile(url), source: url.path,
                      bosToken: config?.bosToken, eosToken: config?.eosToken)
    }
}

/// Reads a tokenizer file (a regular file, size checked before reading), with typed errors: a
/// FIFO or device is refused without blocking.
package func readTokenizerFile(_ url: URL) throws(TokenizerError) -> Data {
    do {
        return Data(try MappedFile.contents(path: url.path, limit: BPETokenizer.maximumJSONSize))
    } catch {
        if case let .tooLarge(path, size, limit) = error {
            throw .tooLarge(source: path, field: "file size", found: size, limit: limit)
        }
        throw .unreadable(source: error.path, detail: error.reason)
    }
}
