import Foundation
import XCTest

/// Loads the sacrebleu / rouge-score reference copied into `Fixtures/metrics`.
struct MetricsFixtures {
    struct Item: Decodable {
        let mr: String
        let held_out_index: Int
        let hyp_good: String
        let hyp_degraded: String
        let refs: [String]
    }
    struct Inputs: Decodable {
        let n_segments: Int
        let items: [Item]
    }
    struct CorpusBLEU: Decodable {
        let score: Double
        let counts: [Int]
        let totals: [Int]
        let precisions: [Double]
        let bp: Double
        let sys_len: Int
        let ref_len: Int
        let signature: String
    }
    struct CorpusCHRF: Decodable {
        let score: Double
        let signature: String
    }
    struct Expected: Decodable {
        let corpus_bleu: CorpusBLEU
        let corpus_chrf: CorpusCHRF
        let sentence_bleu: [Double]
        let sentence_chrf: [Double]
        let rougeL_f_stemmer: [Double]
        let rougeL_f_no_stemmer: [Double]
        let mean_sentence_bleu: Double
        let mean_rougeL_f_stemmer: Double
        let mean_rougeL_f_no_stemmer: Double
    }
    struct ExpectedFile: Decodable {
        let n_segments: Int
        let hyp_good: Expected
        let hyp_degraded: Expected
    }

    let inputs: Inputs
    let expected: ExpectedFile

    static func directory() throws -> URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.appendingPathComponent("Fixtures/metrics")
            }
            url = url.deletingLastPathComponent()
        }
        throw XCTSkip("package root not found above \(#filePath)")
    }

    static func load() throws -> MetricsFixtures {
        let dir = try directory()
        let decoder = JSONDecoder()
        let inputs = try decoder.decode(Inputs.self, from: Data(contentsOf: dir.appendingPathComponent("inputs.json")))
        let expected = try decoder.decode(ExpectedFile.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        return MetricsFixtures(inputs: inputs, expected: expected)
    }
}
