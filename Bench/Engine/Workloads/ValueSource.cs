// Values: slices at random offsets of one pre-generated random buffer (as db_bench's RandomGenerator),
// so producing a value costs no allocation and no generation time inside the timed loop. The bytes are
// random, hence incompressible; compression is off by default on both stores.

namespace GrainKV.Bench.Engine.Workloads;

internal sealed class ValueSource
{
    private const int BufferSize = 4 << 20;
    private readonly byte[] _buffer;
    private readonly int _valueSize;

    public ValueSource(int valueSize, int seed)
    {
        _valueSize = valueSize;
        _buffer = new byte[Math.Max(BufferSize, valueSize * 2)];
        new Random(seed).NextBytes(_buffer);
    }

    public int ValueSize => _valueSize;

    public ReadOnlyMemory<byte> Next(Random random) =>
        _buffer.AsMemory(random.Next(_buffer.Length - _valueSize), _valueSize);
}
