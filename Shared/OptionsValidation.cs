// Runs an options type's generated validator outside dependency injection (an engine opened directly, a client
// connecting without a host, the silo's host settings read before the host exists) and fails the same way a
// silo's start-up validation does: one OptionsValidationException listing every problem.
//
// This file is compiled into each assembly that declares such an options type (a linked <Compile Include>),
// internal in each: the engine takes no dependency on the cluster's assemblies.

using Microsoft.Extensions.Options;

namespace GrainKV.Shared;

/// <summary>Options validation outside dependency injection.</summary>
internal static class OptionsValidation
{
    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem <paramref name="validator"/> finds
    /// in <paramref name="options"/>.</summary>
    public static void ThrowIfInvalid<TOptions>(this IValidateOptions<TOptions> validator, TOptions options)
        where TOptions : class
    {
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures);
        }
    }
}
