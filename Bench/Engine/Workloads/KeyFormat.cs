// Keys as db_bench makes them: the key index as 16 zero-padded decimal digits, so key order is index order
// and a range of indexes is a range of keys. A missing key is a present key with '.' appended: it sorts
// between two present keys, so a store cannot rule it out by key range alone.

namespace GrainKV.Bench.Engine.Workloads;

internal static class KeyFormat
{
    public const int KeySize = 16;
    public const int MissingKeySize = KeySize + 1;

    public static void Write(Span<byte> destination, long index)
    {
        for (var i = KeySize - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (index % 10));
            index /= 10;
        }
    }

    public static void WriteMissing(Span<byte> destination, long index)
    {
        Write(destination, index);
        destination[KeySize] = (byte)'.';
    }

    public static byte[] Create(long index)
    {
        var key = new byte[KeySize];
        Write(key, index);
        return key;
    }
}
