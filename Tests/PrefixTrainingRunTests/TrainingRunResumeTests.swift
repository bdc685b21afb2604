import Foundation
import PrefixData
import PrefixTraining
import PrefixTrainingRun
import XCTest

/// Checkpoint/resume: a run stopped after 3 steps and resumed ends bit-identical to an
/// uninterrupted 6-step run; a checkpoint of another run is refused.
final class TrainingRunResumeTests: XCTestCase {
    func configuration() -> TrainingRunConfiguration {
        var c = TrainingRunConfiguration()
        c.batchSize = 4
        c.gradientAccumulation = 2
        c.maxSteps = 6
        c.optimizer = AdamW.Configuration(learningRate: 1e-2, weightDecay: 0)
        c.warmupSteps = 2
        c.evaluateEvery = 2
        c.seed = 3
        return c
    }

    func testResumedRunIsBitIdenticalToUninterruptedRun() throws {
        let (run, initial, _) = try TrainingRunFixtures.makeRun(configuration: configuration())
        let dir = try TrainingRunFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }

        let straight = try run.run(initialParameters: initial, checkpointURL: nil, resume: false)
        XCTAssertEqual(straight.ending, .completed)
        XCTAssertEqual(straight.steps, 6)

        let ckpt = dir.appendingPathComponent("run.ckpt")
        let first = try run.run(initialParameters: initial, checkpointURL: ckpt, resume: true, stopAfterSteps: 3)
        XCTAssertEqual(first.ending, .interrupted)
        XCTAssertEqual(first.steps, 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ckpt.path))
        XCTAssertNotEqual(first.parameters, straight.parameters)

        // A fresh run object (as after kill -9 and a restart) continues from the file.
        let (again, otherInitial, _) = try TrainingRunFixtures.makeRun(configuration: configuration())
        let second = try again.run(initialParameters: otherInitial, checkpointURL: ckpt, resume: true)
        XCTAssertEqual(second.ending, .completed)
        XCTAssertEqual(second.steps, 6)
        XCTAssertEqual(second.parameters, straight.parameters, "resumed parameters must be bit-identical")
        XCTAssertEqual(second.history, straight.history)
        XCTAssertEqual(second.history.trainLosses.count, 6)
        XCTAssertEqual(second.history.devLosses.map(\.step), [2, 4, 6])
    }

    /// Issue 12 item 8: a kill -9 during a checkpoint write leaves `.run.ckpt.tmp-<pid>-<random>`;
    /// `--resume` removes it (its process is gone) and resumes from the complete checkpoint.
    func testResumeRemovesTemporaryFilesOfAKilledCheckpointWrite() throws {
        let dir = try TrainingRunFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("run.ckpt")
        let (run, initial, _) = try TrainingRunFixtures.makeRun(configuration: configuration())
        _ = try run.run(initialParameters: initial, checkpointURL: ckpt, resume: true, stopAfterSteps: 3)
        // What the killed writer left: a partial copy under the writer's temporary name, owned by
        // a process id that does not exist (above Linux's largest pid_max, 2^22).
        let partial = Array(try Data(contentsOf: ckpt).prefix(1000))
        let stale = dir.appendingPathComponent(".run.ckpt.tmp-99999999-2kx9q")
        try Data(partial).write(to: stale)
        let unrelated = dir.appendingPathComponent("notes.txt")
        try Data("keep".utf8).write(to: unrelated)

        let (again, otherInitial, _) = try TrainingRunFixtures.makeRun(configuration: configuration())
        let resumed = try again.run(initialParameters: otherInitial, checkpointURL: ckpt, resume: true, stopAfterSteps: 4)
        XCTAssertEqual(resumed.steps, 4, "resumed from step 3")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["run.ckpt", "notes.txt"])
    }

    func testCheckpointOfAnotherRunIsRefused() throws {
        let dir = try TrainingRunFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("run.ckpt")
        let (run, initial, _) = try TrainingRunFixtures.makeRun(configuration: configuration(), identity: "run-a")
        _ = try run.run(initialParameters: initial, checkpointURL: ckpt, resume: false, stopAfterSteps: 1)
        let (other, otherInitial, _) = try TrainingRunFixtures.makeRun(configuration: configuration(), identity: "run-b")
        XCTAssertThrowsError(try other.run(initialParameters: otherInitial, checkpointURL: ckpt, resume: true)) { error in
            guard case TrainingRunError.checkpointMismatch = error else { return XCTFail("\(error)") }
        }
        // Without --resume the checkpoint is ignored and the run starts over.
        let fresh = try other.run(initialParameters: otherInitial, checkpointURL: ckpt, resume: false, stopAfterSteps: 1)
        XCTAssertEqual(fresh.steps, 1)
    }

    func testTrainingLowersTheLossAndEarlyStoppingStops() throws {
        var c = configuration()
        c.maxSteps = 16
        c.evaluateEvery = nil
        let (run, initial, _) = try TrainingRunFixtures.makeRun(configuration: c)
        let outcome = try run.run(initialParameters: initial, checkpointURL: nil, resume: false)
        let batches = try TrainingBatch.batches(run.train, size: 8, padTokenID: run.padID)
        let before = try PrefixTrainer(backpropagation: run.backpropagation, prefix: run.prefix, parameters: initial,
                                       options: .init(optimizer: c.optimizer)).meanLoss(on: batches)
        let after = try PrefixTrainer(backpropagation: run.backpropagation, prefix: run.prefix, parameters: outcome.parameters,
                                      options: .init(optimizer: c.optimizer)).meanLoss(on: batches)
        XCTAssertLessThan(after, before - 0.1, "training-set loss \(before) -> \(after)")

        // Patience 1 with a learning rate that cannot improve the dev loss (1e-12): stops after the second evaluation.
        var stuck = configuration()
        stuck.maxSteps = 40
        stuck.evaluateEvery = 1
        stuck.patience = 1
        stuck.optimizer = AdamW.Configuration(learningRate: 1e-12, weightDecay: 0)
        let (flat, flatInitial, _) = try TrainingRunFixtures.makeRun(configuration: stuck)
        let stopped = try flat.run(initialParameters: flatInitial, checkpointURL: nil, resume: false)
        XCTAssertEqual(stopped.ending, .earlyStopped)
        XCTAssertLessThan(stopped.steps, 40)
    }
}
