import XCTest
import PrefixSupport
@testable import PrefixTraining

final class OptimizerTests: XCTestCase {
    /// One AdamW step from the reference's initial parameters with the reference's gradient
    /// reproduces PyTorch's parameters and moments after step 1.
    func testOneAdamWStepReproducesPyTorch() throws {
        for model in TrainingFixtures.tinyModels {
            for kind in TrainingFixtures.prefixKinds {
                let base = "\(model)/\(kind)"
                var parameters = try TrainingFixtures.parameterSet("\(base)/encoder_params.safetensors")
                let gradients = try TrainingFixtures.parameterSet("\(base)/train_grads_encoder_params.safetensors")
                let expected = try TrainingFixtures.parameterSet("\(base)/train_params_after_1_step.safetensors")
                let state = try TrainingFixtures.parameterSet("\(base)/train_adam_state_after_1_step.safetensors")
                var optimizer = try AdamW(
                    configuration: .init(learningRate: 0.01, weightDecay: 0), parameters: parameters)
                try optimizer.update(&parameters, gradients: gradients, learningRate: 0.01)
                XCTAssertEqual(optimizer.step, 1)
                for name in expected.names {
                    let diff = TrainingFixtures.maxAbsDiff(try parameters.values(name), try expected.values(name))
                    XCTAssertLessThanOrEqual(diff, 1e-5, "\(base) \(name) after 1 step")
                    let m = TrainingFixtures.maxAbsDiff(
                        try optimizer.firstMoments.values(name), try state.values("\(name).exp_avg"))
                    let v = TrainingFixtures.maxAbsDiff(
                        try optimizer.secondMoments.values(name), try state.values("\(name).exp_avg_sq"))
                    XCTAssertLessThanOrEqual(m, 1e-7, "\(base) \(name).exp_avg")
                    XCTAssertLessThanOrEqual(v, 1e-9, "\(base) \(name).exp_avg_sq")
                }
                // The step moved every parameter (lr 0.01 with Adam's normalized step).
                let moved = TrainingFixtures.maxAbsDiff(
                    try parameters.values("embedding.weight"),
                    try TrainingFixtures.parameterSet("\(base)/encoder_params.safetensors").values("embedding.weight"))
                XCTAssertGreaterThan(moved, 5e-3)
            }
        }
    }

    /// Decoupled weight decay: with a zero gradient, p ← p·(1 − lr·wd) and nothing else.
    func testDecoupledWeightDecay() throws {
        var parameters = ParameterSet()
        try parameters.set("w", shape: [2], values: [1, -2])
        var optimizer = try AdamW(configuration: .init(learningRate: 0.1, weightDecay: 0.5), parameters: parameters)
        try optimizer.update(&parameters, gradients: parameters.zeros(), learningRate: 0.1)
        XCTAssertEqual(try parameters.values("w"), [0.95, -1.9])
        XCTAssertThrowsError(try AdamW(configuration: .init(learningRate: 0.1, beta1: 1), parameters: parameters))
    }

    func testLinearWarmupScheduleMatchesTransformers() throws {
        let schedule = try LinearWarmupSchedule(warmupSteps: 2, totalSteps: 6)
        // transformers: lr_lambda(k) for k = 0..6
        XCTAssertEqual((0...6).map { schedule.multiplier(atStep: $0) }, [0, 0.5, 1, 0.75, 0.5, 0.25, 0])
        let noWarmup = try LinearWarmupSchedule(warmupSteps: 0, totalSteps: 4)
        XCTAssertEqual((0...5).map { noWarmup.multiplier(atStep: $0) }, [1, 0.75, 0.5, 0.25, 0, 0])
        XCTAssertThrowsError(try LinearWarmupSchedule(warmupSteps: -1, totalSteps: 3))
    }

    func testGradientClippingFollowsTorchSemantics() throws {
        var gradients = ParameterSet()
        try gradients.set("a", shape: [2], values: [3, 0])
        try gradients.set("b", shape: [1], values: [4])
        // Total norm 5 > 1: scale by 1 / (5 + 1e-6).
        let total = try GradientClipping.clip(&gradients, maxNorm: 1)
        XCTAssertEqual(total, 5, accuracy: 1e-6)
        XCTAssertEqual(try gradients.values("a")[0], 3 / (5 + 1e-6), accuracy: 1e-7)
        XCTAssertEqual(try gradients.values("b")[0], 4 / (5 + 1e-6), accuracy: 1e-7)
        // Below the threshold nothing changes.
        var small = ParameterSet()
        try small.set("a", shape: [1], values: [0.5])
        XCTAssertEqual(try GradientClipping.clip(&small, maxNorm: 1), 0.5)
        XCTAssertEqual(try small.values("a"), [0.5])
    }

    func testSeededGeneratorIsDeterministic() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let x = a.normals(count: 1000, standardDeviation: 1)
        XCTAssertEqual(x, b.normals(count: 1000, standardDeviation: 1))
        XCTAssertNotEqual(x, c.normals(count: 1000, standardDeviation: 1))
        let mean = x.reduce(0, +) / 1000, variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1000
        XCTAssertEqual(mean, 0, accuracy: 0.1)
        XCTAssertEqual(variance, 1, accuracy: 0.15)
    }
}
