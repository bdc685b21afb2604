import PrefixBundle

/// The provenance a trained bundle records: base model name and digest, hyperparameters, data
/// digest, init text, steps, final train and dev loss, and how the run ended.
public enum RunProvenance {
    /// Provenance fields for `outcome`.
    /// - Parameters:
    ///   - prefixSettings: prefix length, layers, reparameterization and init, shown with the hyperparameters.
    public static func make(
        baseModel: String, baseModelDigest: String, dataDigest: String, dataLabel: String, initText: String?,
        configuration: TrainingRunConfiguration, prefixSettings: [String: String], outcome: TrainingOutcome,
        trainExamples: Int, creatorVersion: String
    ) -> Provenance {
        var provenance = Provenance(baseModel: baseModel, baseModelDigest: baseModelDigest, dataDigest: dataDigest,
                                    initText: initText, creator: "prefixpack build")
        provenance.creatorVersion = creatorVersion
        var hyper: [String: JSONValue] = [:]
        for (k, v) in configuration.summary.merging(prefixSettings, uniquingKeysWith: { a, _ in a }) {
            hyper[k] = Double(v).map(JSONValue.number) ?? .string(v)
        }
        provenance.hyperparameters = hyper
        provenance.fields["data"] = .string(dataLabel)
        provenance.fields["train_examples"] = .number(Double(trainExamples))
        provenance.fields["steps"] = .number(Double(outcome.steps))
        provenance.fields["total_steps"] = .number(Double(outcome.totalSteps))
        provenance.fields["ending"] = .string(outcome.ending.rawValue)
        if let loss = outcome.history.recentTrainLoss(), loss.isFinite {
            provenance.fields["final_train_loss"] = .number(Double(loss))
        }
        if let loss = outcome.finalDevLoss, loss.isFinite { provenance.fields["final_dev_loss"] = .number(Double(loss)) }
        return provenance
    }
}
