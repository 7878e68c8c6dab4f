import FTCore
import Testing
@testable import FTServe

@Suite struct OptionTests {
    @Test func defaultDataDirectoryFollowsXDG() {
        #expect(ServeOptions.defaultDataDirectory(environment: ["HOME": "/h"]) == "/h/.local/state/ftsh/serve")
        #expect(ServeOptions.defaultDataDirectory(environment: ["HOME": "/h", "XDG_STATE_HOME": "/s"]) == "/s/ftsh/serve")
    }
}
