import Hummingbird

/// The HTTP API. Each route is one line in `register`, so later ones (`/v1/chat`, the page at
/// `/`, a `mode` for search) slot in beside them; a known path with another method is a 405.
package struct APIRoutes: Sendable {
    let state: ServerState

    package init(state: ServerState) { self.state = state }

    /// A router with every route, the error mapping and the metrics middleware.
    package func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: state.metrics))
        router.add(middleware: ErrorMiddleware())
        register(on: router)
        return router
    }

    func register(on router: Router<BasicRequestContext>) {
        route(router, .get, "/health", cost: .probe) { _, _ in health() }
        route(router, .get, "/ready", cost: .probe) { _, _ in ready() }
        route(router, .get, "/metrics", cost: .probe) { _, _ in metrics() }
        route(router, .get, "/v1/status", cost: .cheap) { _, _ in JSONResponse.make(StatusResponse(state)) }
        route(router, .get, "/v1/documents", cost: .cheap) { _, _ in JSONResponse.make(DocumentListResponse(state.store.current)) }
        route(router, .get, "/v1/documents/**", cost: .cheap) { _, context in try document(context) }
        route(router, .post, "/v1/search", cost: .expensive) { request, _ in try await search(request) }
        route(router, .post, "/v1/chat", cost: .expensive) { request, _ in try await chat(request, field: "question") }
        route(router, .post, "/chat", cost: .expensive) { request, _ in try await chat(request, field: "message") }
        route(router, .get, "/", cost: .probe) { _, _ in ChatPage.response() }
        router.addRoutes(methodNotAllowedRoutes)
    }

    // MARK: Handlers

    private struct Health: Encodable {
        var status = "ok"
        var version = DaemonVersion.current
        var uptimeSeconds: Double
    }

    private func health() -> Response {
        JSONResponse.make(Health(uptimeSeconds: state.uptimeSeconds))
    }

    private struct Ready: Encodable {
        var status = "ready"
        var artifactDigest: String
        var chunkCount: Int
        var reloadGeneration: Int
        var model: String
    }

    private func ready() -> Response {
        let artifact = state.store.current
        if let problem = state.model.problem(expectedFingerprint: artifact.manifest.model.fingerprint) {
            return ErrorResponse.make(for: problem, logger: state.logger)
        }
        let model = switch state.model.currentState {
        case .loaded: "loaded"
        case .loading: "loading"
        default: "not_requested"
        }
        return JSONResponse.make(Ready(artifactDigest: artifact.digest, chunkCount: artifact.chunkCount,
                                       reloadGeneration: artifact.generation, model: model))
    }

    private func metrics() -> Response {
        if let resident = state.memoryGuard.residentByteCount { state.metrics.residentMemory.set(Double(resident)) }
        var buffer: [UInt8] = []
        state.metrics.registry.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    private func document(_ context: BasicRequestContext) throws -> Response {
        // The catch-all takes "hr%2Fleave.md" and "hr/leave.md" alike (some clients decode %2F).
        let raw = context.parameters.getCatchAll().joined(separator: "/")
        let id = PercentDecoding.decode(raw) ?? raw
        let artifact = state.store.current
        guard let index = artifact.documentIndex(for: id) else { throw QueryError.documentNotFound(id: id) }
        return JSONResponse.make(DocumentResponse(artifact, index: index))
    }

    private func search(_ request: Request) async throws -> Response {
        let body = try await RequestBodyReader.read(request, limits: state.configuration.limits)
        let search = try SearchRequest.decode(body, limits: state.configuration.limits)
        return JSONResponse.make(try await state.searchService.search(search))
    }

    /// `/v1/chat` (JSON, or events with "stream": true), and the original system's `/chat`
    /// (`{"message"}` in, the answer with its sources out).
    private func chat(_ request: Request, field: String) async throws -> Response {
        let body = try await RequestBodyReader.read(request, limits: state.configuration.limits)
        let chat = try ChatRequest.decode(body, field: field, limits: state.configuration.limits)
        let service = state.chatService
        let prepared = try await service.prepare(chat)
        if chat.stream, field == "question" { return ChatStream.response(service, prepared) }
        let response = await service.answer(prepared)
        return field == "message" ? JSONResponse.make(response.legacy) : JSONResponse.make(response)
    }

    // MARK: Route table

    private static let knownPaths: [(path: String, methods: [HTTPRequest.Method])] = [
        ("/health", [.get]), ("/ready", [.get]), ("/metrics", [.get]), ("/v1/status", [.get]),
        ("/v1/documents", [.get]), ("/v1/documents/**", [.get]), ("/v1/search", [.post]),
        ("/v1/chat", [.post]), ("/chat", [.post]), ("/", [.get]),
    ]

    /// Adds `handler` for `method` on `path`, behind the memory guard for its `cost`.
    private func route(_ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath,
                       cost: MemoryGuard.Cost,
                       _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
        let memoryGuard = state.memoryGuard
        let metrics = state.metrics
        router.on(path, method: method) { request, context in
            if cost == .cheap {
                do { try memoryGuard.admit(.cheap) } catch {
                    metrics.shedCounter("memory_pressure").increment()
                    throw error
                }
            }
            return try await handler(request, context)
        }
    }

    /// 405s (with `Allow`) for the usual methods on known paths that do not take them.
    private var methodNotAllowedRoutes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options]
        for (path, allowed) in Self.knownPaths {
            for method in methods where !allowed.contains(method) && !(method == .head && allowed.contains(.get)) {
                let names = allowed.map(\.rawValue)
                routes.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw QueryError.methodNotAllowed(method: request.method.rawValue, allowed: names)
                }
            }
        }
        return routes
    }
}
