// A file system for tests that can lose what was never synced, tear a write, or flip a bit, like a
// disk and kernel would on a crash or a bad sector.

using GrainKV.Storage.IO;

namespace GrainKV.Storage.Tests.Faults;

public sealed class FaultInjectingFileSystem : IFileSystem
{
    private readonly Dictionary<string, long> _syncedLength = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>When set, the next file whose name ends with this suffix fails (IOException) after this many bytes are written.</summary>
    public (string Suffix, long Bytes)? TearNextWrite { get; set; }

    /// <summary>When set, the next file whose name ends with this suffix gets byte <c>Offset</c> flipped as it is written.</summary>
    public (string Suffix, long Offset)? FlipBitInNextFile { get; set; }

    public Stream Create(string path)
    {
        lock (_lock)
        {
            _syncedLength[path] = 0;
        }

        long? tearAt = null;
        if (TearNextWrite is { } tear && path.EndsWith(tear.Suffix, StringComparison.Ordinal))
        {
            tearAt = tear.Bytes;
            TearNextWrite = null;
        }

        long? flipAt = null;
        if (FlipBitInNextFile is { } flip && path.EndsWith(flip.Suffix, StringComparison.Ordinal))
        {
            flipAt = flip.Offset;
            FlipBitInNextFile = null;
        }

        return new FaultyStream(path, new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None), tearAt, flipAt);
    }

    public void Sync(Stream stream)
    {
        var faulty = (FaultyStream)stream;
        faulty.Inner.Flush(flushToDisk: true);
        lock (_lock)
        {
            _syncedLength[faulty.Path] = faulty.Inner.Length;
        }
    }

    public void Move(string source, string destination)
    {
        File.Move(source, destination, overwrite: true);
        lock (_lock)
        {
            _syncedLength[destination] = _syncedLength.GetValueOrDefault(source, new FileInfo(destination).Length);
            _syncedLength.Remove(source);
        }
    }

    /// <summary>Simulates power loss: every file written through this file system loses its unsynced bytes.</summary>
    public void DropUnsyncedData()
    {
        lock (_lock)
        {
            foreach (var (path, synced) in _syncedLength)
            {
                if (File.Exists(path) && new FileInfo(path).Length > synced)
                {
                    using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
                    file.SetLength(synced);
                }
            }
        }
    }

    private sealed class FaultyStream(string path, FileStream inner, long? tearAt, long? flipAt) : Stream
    {
        public string Path { get; } = path;

        public FileStream Inner { get; } = inner;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Inner.Length;

        public override long Position
        {
            get => Inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var data = buffer.ToArray();
            var start = Inner.Position;
            if (flipAt is { } flip && flip >= start && flip < start + data.Length)
            {
                data[flip - start] ^= 0x04;
            }

            if (tearAt is { } tear && start + data.Length > tear)
            {
                Inner.Write(data, 0, (int)Math.Max(0, tear - start));
                Inner.Flush();
                throw new IOException($"Injected torn write in {Path} at byte {tear}.");
            }

            Inner.Write(data);
        }

        public override void Flush() => Inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
