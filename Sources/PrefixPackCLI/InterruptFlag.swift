import Dispatch
import Foundation

/// Turns the first SIGINT (Ctrl-C) into a flag the training loop polls after each step (so it
/// can write a checkpoint and a bundle); a second SIGINT exits at once with status 130.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var source: DispatchSourceSignal?

    /// Installs the handler (the default action is ignored while it is installed).
    init() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            if self.isRaised { _exit(130) }
            self.lock.lock(); self.raised = true; self.lock.unlock()
            FileHandle.standardError.write(Data("\ninterrupt: finishing the current step, then writing a checkpoint and the bundle (Ctrl-C again to quit now)\n".utf8))
        }
        source.resume()
        self.source = source
    }

    /// Whether SIGINT arrived.
    var isRaised: Bool {
        lock.lock(); defer { lock.unlock() }
        return raised
    }

    deinit {
        source?.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
