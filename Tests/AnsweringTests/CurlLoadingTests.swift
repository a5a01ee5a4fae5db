import Testing
@testable import Answering

/// libcurl is opened with dlopen on first use (Sources/CCurl). These check the look-up against real
/// libraries: this machine's libcurl, a name no library has, and a library that is not libcurl.
@Suite struct CurlLoadingTests {
    @Test func thisMachinesLibcurlLoads() {
        #expect(ChatCompletionClient.transportProblem == nil)
        #expect(CurlTransfer.loadProblem(ofLibrary: "libcurl.so.4") == nil)
    }

    @Test func aMissingLibraryIsNamedWithWhatToDo() throws {
        let problem = try #require(CurlTransfer.loadProblem(ofLibrary: "libcurl-absent.so.99"))
        #expect(problem.hasPrefix("libcurl could not be loaded (libcurl-absent.so.99: cannot open shared object file"))
        #expect(problem.hasSuffix("install Debian's libcurl4 package, or unset LLM_BASE_URL to answer from the passages"))
    }

    @Test func aLibraryWithoutCurlsFunctionsSaysWhichIsMissing() throws {
        // zlib is on every machine that has libcurl (libcurl links it).
        let problem = try #require(CurlTransfer.loadProblem(ofLibrary: "libz.so.1"))
        #expect(problem.hasPrefix("libcurl could not be loaded (libz.so.1 has no curl_global_init ("))
    }
}
