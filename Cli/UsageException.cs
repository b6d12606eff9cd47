// A command line that is understood but cannot be carried out as given (e.g. connection options that do not
// validate): exit code 2, like a parse error.

namespace GrainKV.Cli;

/// <summary>A usage error found after parsing; reported in one line with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class UsageException(string message) : Exception(message);
