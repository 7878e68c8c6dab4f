// ftsh: everything lives in FTShellApp; this file only hands it argv and returns its status.
#if canImport(Glibc)
import Glibc
#endif
import FTShellApp

let status = CommandLineApp.main(Array(CommandLine.arguments.dropFirst()))
exit(status)
