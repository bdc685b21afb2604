import Hummingbird
import NIOCore
import PrefixSupport

/// The HTTP API over a ``ModelServer``: OpenAI's `/v1/models`, `/v1/completions` and
/// `/v1/chat/completions` (JSON or server-sent events), the prefix admin endpoints, `/health`
/// and `/metrics`.
public enum ServerRoutes {
    /// A router with every endpoint (and the API-key check when the server has a key), for an
    /// application without ``ClientDisconnectHandler``s: a non-streaming client that goes away
    /// is not noticed before its answer is written. ``ModelServer/application(logger:onReady:)``
    /// builds the router that notices it.
    public static func router(for server: ModelServer) -> Router<ServerRequestContext> {
        router(for: server, connections: ClientConnections())
    }

    /// The router whose completions are cancelled when their client goes away: `connections`
    /// are those watched by the ``ClientDisconnectHandler``s of the same application.
    static func router(for server: ModelServer, connections: ClientConnections) -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: ErrorMetricsMiddleware(metrics: server.metrics))
        if let key = server.options.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }

        router.get("/health") { _, _ -> Response in
            let (queued, running) = server.scheduler.occupancy
            return JSONResponse.make("{\"status\":\"ok\",\"queued\":\(queued),\"running\":\(running)}")
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: server.metrics.render())))
        }
        router.get("/v1/models") { _, _ -> Response in
            JSONResponse.make(modelList(server.servedModels))
        }
        router.post("/v1/completions") { request, context -> Response in
            try await completion(request, server: server, chat: false, connection: connections.connection(for: context.channel))
        }
        router.post("/v1/chat/completions") { request, context -> Response in
            try await completion(request, server: server, chat: true, connection: connections.connection(for: context.channel))
        }
        router.post("/v1/prefixes") { request, _ -> Response in
            let root = try RequestBodyReader.object(try await body(request, limit: server.options.maxBodyBytes))
            let fileName = try RequestBodyReader.field { () throws(JSONFieldError) in try root.required("name", expected: "a bundle file name").string() }
            let name = try server.registry.load(fileName: fileName, reservedNames: [server.baseName])
            return JSONResponse.make(modelObject(name))
        }
        router.delete("/v1/prefixes/:name") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            try server.registry.unload(name)
            return JSONResponse.make("{\"id\":\(name.jsonLiteral),\"object\":\"model\",\"deleted\":true}")
        }
        return router
    }

    static func modelObject(_ name: String) -> String {
        "{\"id\":\(name.jsonLiteral),\"object\":\"model\",\"created\":0,\"owned_by\":\"prefixpack\"}"
    }

    static func modelList(_ names: [String]) -> String {
        "{\"object\":\"list\",\"data\":[" + names.map(modelObject).joined(separator: ",") + "]}"
    }

    /// The body, at most `limit` bytes (413 beyond; a too large `Content-Length` is refused
    /// before anything is read).
    static func body(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        return try await collect(request.body, limit: limit)
    }

    private static func collect(_ body: RequestBody, limit: Int) async throws -> [UInt8] {
        do {
            var buffer = try await body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    /// A completion: parsed, queued (its k·n choices together), then answered as one JSON object
    /// or as server-sent events. The request (every choice) is cancelled, and leaves the batch at
    /// the next step, when its client goes away: for a stream, the first failed write; for a
    /// whole answer, `connection` reporting the client gone (its input ended or the connection
    /// closed while the answer is pending; see ``ClientConnection``). A cancelled handler task or
    /// an event stream dropped unread cancels it too. Without a `connection` (no
    /// ``ClientDisconnectHandler`` on the channel) a non-streaming client that goes away is not
    /// noticed before the answer is written.
    static func completion(_ request: Request, server: ModelServer, chat: Bool,
                           connection: ClientConnection?) async throws -> Response {
        let root = try RequestBodyReader.object(try await body(request, limit: server.options.maxBodyBytes))
        let parameters = try CompletionParameters(root, chat: chat)
        let started = try server.start(parameters, chat: chat)
        let handle = CancelHandle()
        let ids = started.submissions.map(\.id)
        handle.set { [scheduler = server.scheduler] in for id in ids { scheduler.cancel(id) } }
        if parameters.stream {
            return streamResponse(started, request: request, includeUsage: parameters.includeUsage, cancel: handle)
        }
        let token = connection?.onGone { handle.fire() }
        defer { if let token { connection?.remove(token) } }
        return try await withTaskCancellationHandler {
            try await wholeResponse(started)
        } onCancel: {
            handle.fire()
        }
    }

    /// Every choice read to its end, in index order (they run side by side meanwhile). With
    /// `echo`, each prompt's first choice alone scored that prompt (the same prompt, prefix and
    /// activation path for each of its choices); its values are those of every choice of the
    /// prompt, and it is read before them.
    private static func wholeResponse(_ started: ModelServer.StartedCompletion) async throws -> Response {
        var choices: [CompletionRenderer.Choice] = []
        for (index, submission) in started.submissions.enumerated() {
            let scored = started.submissions[started.scoringChoice(of: index)].logprobs
            choices.append(try await wholeChoice(submission, renderer: started.renderer, echo: started.echo(ofChoice: index),
                                                 scored: scored))
        }
        return JSONResponse.make(started.renderer.complete(choices))
    }

    /// One choice read to its end; `scored` holds the prompt's logprobs when `echo` asked for them.
    private static func wholeChoice(_ submission: BatchScheduler.Submission, renderer: CompletionRenderer,
                                    echo: EchoedPrompt?, scored: TokenLogprobLog?) async throws -> CompletionRenderer.Choice {
        var text = ""
        for await event in submission.events {
            switch event {
            case .text(let piece): text += piece
            case .finished(let summary):
                var logprobs = "null"
                if let log = submission.logprobs, let echo {
                    logprobs = try echo.logprobs(prompt: scored?.prompt, completion: log.rest(), reason: summary.reason)
                } else if let log = submission.logprobs {
                    var offset = 0
                    logprobs = renderer.logprobs(log.rest(), offset: &offset)
                }
                // echo: the prompt, then the completion
                return CompletionRenderer.Choice(text: (echo?.text ?? "") + text, summary: summary, logprobs: logprobs)
            case .failed(let message):
                throw generationFailed(message)
            }
        }
        throw APIError(status: .internalServerError, message: "Generation ended without a result", type: "server_error")
    }

    static func generationFailed(_ message: String) -> APIError {
        APIError(status: .internalServerError, message: "Generation failed: \(message)", type: "server_error", code: "generation_failed")
    }

    /// The chunks of every choice as they come (each with its `index`; a chat stream starts with
    /// the role chunk of every choice), a finish chunk per choice when it ends, then the usage
    /// chunk (when asked) and `[DONE]` once every choice has ended.
    private static func streamResponse(_ started: ModelServer.StartedCompletion, request: Request, includeUsage: Bool,
                                       cancel: CancelHandle) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                do {
                    var stream = CompletionStream(started, includeUsage: includeUsage)
                    var chunks = stream.opening
                    for await tagged in ChoiceEvents.merged(started.submissions) {
                        chunks += stream.take(tagged.event, of: tagged.index)
                        guard !chunks.isEmpty else { continue }
                        try await writer.write(ByteBuffer(string: chunks.map { "data: " + $0 + "\n\n" }.joined()))
                        chunks.removeAll()
                    }
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                }
                try await writer.finish(nil)
            } catch {
                cancel.fire()
                throw error
            }
        })
    }
}
