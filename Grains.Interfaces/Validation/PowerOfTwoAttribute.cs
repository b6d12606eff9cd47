// A data annotation for options that must be a power of two (the range count Q, Merkle tree leaves). Used beside
// [Range] for the bounds; checked by the generated options validators like the built-in annotations.

using System.ComponentModel.DataAnnotations;
using System.Numerics;

namespace GrainKV.Validation;

/// <summary>The property's value (an integer) must be a power of two. Null is valid (use [Required] to refuse it).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class PowerOfTwoAttribute() : ValidationAttribute("The field {0} must be a power of two.")
{
    /// <inheritdoc/>
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        int i => BitOperations.IsPow2(i),
        long l => BitOperations.IsPow2(l),
        _ => false,
    };
}
