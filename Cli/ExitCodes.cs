// The exit codes of grainkv, documented in the README; scripts rely on them.

namespace GrainKV.Cli;

/// <summary>Exit codes of grainkv.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int NotFound = 1;
    public const int Usage = 2;
    public const int Rejected = 3;
    public const int Unavailable = 4;
    public const int Failed = 5;
}
