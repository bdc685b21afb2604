import Foundation
import TextTokenizers

/// Hugging Face `tokenizer.json` (`BPETokenizer(tokenizerJSON:)`); the same bytes also go to
/// `TokenizerConfig(jsonData:)` (`tokenizer_config.json`) and its chat template to
/// `ChatTemplate(jinja:)`. An accepted tokenizer is exercised by ``TokenizerExercise``.
///
/// Invariants: no crash, no hang, bounded memory; every id an accepted tokenizer produces is
/// inside its vocabulary.
enum TokenizerFuzzer {
    static func run(_ input: UnsafeRawBufferPointer) {
        let data = Data(input)
        if let tokenizer = accepted("BPETokenizer(tokenizerJSON:)", { try BPETokenizer(tokenizerJSON: data, source: "fuzz-tokenizer.json") }) {
            TokenizerExercise.run(tokenizer, seed: input)
        }
        guard let config = accepted("TokenizerConfig", { try TokenizerConfig(jsonData: data, source: "fuzz-tokenizer_config.json") }),
              let jinja = config.chatTemplate,
              let template = accepted("ChatTemplate(jinja:)", { try ChatTemplate(jinja: jinja, source: "fuzz chat_template") })
        else { return }
        _ = template.render([ChatMessage(role: "user", content: "hi"), ChatMessage(role: "assistant", content: "hello")])
    }
}
