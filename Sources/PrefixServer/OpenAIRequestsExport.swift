// The request decoding (APIError, CompletionParameters, RequestBodyReader) lives in
// OpenAIRequests so that it can be fuzzed without HTTP; it is part of this module's API
// (routes and the registry throw APIError), so every file here and every client sees it.
@_exported import OpenAIRequests
