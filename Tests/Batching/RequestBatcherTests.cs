// RequestBatcher: an idle destination gets a request at once and alone; requests made while the allowed batches
// are out leave together when an answer arrives, within the count and byte limits; answers go to their own
// requests; a failed batch fails exactly its own requests and the batcher goes on. The receiver (BatchReplies) runs a
// batch's requests side by side and answers each failure in its own place. Where the destination takes single calls,
// a request that may leave at once goes by one.

using GrainKV.Batching;

namespace GrainKV.Tests.Batching;

public sealed class RequestBatcherTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>A destination whose answers the test releases batch by batch.</summary>
    private sealed class HeldDestination
    {
        public List<(int[] Requests, TaskCompletionSource<string[]> Answer)> Batches { get; } = [];

        public Task<string[]> Send(int[] requests)
        {
            var answer = new TaskCompletionSource<string[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Batches)
            {
                Batches.Add((requests, answer));
            }

            return answer.Task;
        }

        public void Answer(int batch) => Batches[batch].Answer.SetResult(Batches[batch].Requests.Select(r => $"answer {r}").ToArray());

        public async Task WaitForBatchesAsync(int count)
        {
            using var timeout = new CancellationTokenSource(Bound);
            while (true)
            {
                lock (Batches)
                {
                    if (Batches.Count >= count)
                    {
                        return;
                    }
                }

                await Task.Yield();
                timeout.Token.ThrowIfCancellationRequested();
            }
        }
    }

    private static RequestBatcher<int, string> Batcher(HeldDestination destination, int maxInFlight = 1, int maxBatch = 64, long maxBytes = 1 << 20) =>
        new(destination.Send, request => request, new BatchLimits(maxInFlight, maxBatch, maxBytes));

    [Fact]
    public async Task AnIdleDestinationGetsARequestAtOnceAndAlone()
    {
        var destination = new HeldDestination();
        var batcher = Batcher(destination);

        var answer = batcher.SendAsync(7);

        Assert.Single(destination.Batches);
        Assert.Equal([7], destination.Batches[0].Requests);
        destination.Answer(0);
        Assert.Equal("answer 7", await answer.WaitAsync(Bound));
    }

    [Fact]
    public async Task RequestsMadeWhileABatchIsOutLeaveTogetherWhenItsAnswerArrives()
    {
        var destination = new HeldDestination();
        var batcher = Batcher(destination);
        var first = batcher.SendAsync(1);
        var queued = new[] { 2, 3, 4 }.Select(batcher.SendAsync).ToArray();
        Assert.Single(destination.Batches);

        destination.Answer(0);
        await destination.WaitForBatchesAsync(2);

        Assert.Equal([2, 3, 4], destination.Batches[1].Requests);
        destination.Answer(1);
        Assert.Equal("answer 1", await first.WaitAsync(Bound));
        Assert.Equal(["answer 2", "answer 3", "answer 4"], await Task.WhenAll(queued).WaitAsync(Bound));
        Assert.Equal(2, destination.Batches.Count);
    }

    [Fact]
    public async Task UpToMaxInFlightBatchesGoOutBeforeRequestsQueue()
    {
        var destination = new HeldDestination();
        var batcher = Batcher(destination, maxInFlight: 2);
        var answers = new[] { 1, 2, 3, 4 }.Select(batcher.SendAsync).ToArray();

        Assert.Equal(2, destination.Batches.Count);
        destination.Answer(1);
        await destination.WaitForBatchesAsync(3);
        Assert.Equal([3, 4], destination.Batches[2].Requests);
        destination.Answer(0);
        destination.Answer(2);
        Assert.Equal(["answer 1", "answer 2", "answer 3", "answer 4"], await Task.WhenAll(answers).WaitAsync(Bound));
    }

    [Fact]
    public async Task QueuedRequestsAreSplitByCountAndByBytes()
    {
        var destination = new HeldDestination();
        var batcher = Batcher(destination, maxBatch: 3, maxBytes: 100);
        var answers = new List<Task<string>> { batcher.SendAsync(1) };
        answers.AddRange(new[] { 1, 1, 1, 1, 60, 60, 500 }.Select(batcher.SendAsync));

        for (var batch = 0; batch < 5; batch++)
        {
            await destination.WaitForBatchesAsync(batch + 1);
            destination.Answer(batch);
        }

        await Task.WhenAll(answers).WaitAsync(Bound);
        Assert.Equal(
            [[1], [1, 1, 1], [1, 60], [60], [500]],
            destination.Batches.Select(b => b.Requests).ToArray());
    }

    [Fact]
    public async Task AFailedBatchFailsItsOwnRequestsAndTheNextBatchStillGoes()
    {
        var destination = new HeldDestination();
        var batcher = Batcher(destination);
        var first = batcher.SendAsync(1);
        var second = batcher.SendAsync(2);

        destination.Batches[0].Answer.SetException(new TimeoutException("no answer"));
        await destination.WaitForBatchesAsync(2);
        destination.Answer(1);

        Assert.Equal("no answer", (await Assert.ThrowsAsync<TimeoutException>(() => first.WaitAsync(Bound))).Message);
        Assert.Equal("answer 2", await second.WaitAsync(Bound));
    }

    [Fact]
    public async Task AnAnswerWithTheWrongNumberOfRepliesFailsTheBatch()
    {
        var destination = new HeldDestination();
        var batcher = Batcher(destination);
        var answer = batcher.SendAsync(1);

        destination.Batches[0].Answer.SetResult([]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => answer.WaitAsync(Bound));
    }

    [Fact]
    public async Task TheReceiverStartsEveryRequestBeforeAwaitingAnyAndAnswersEachFailureInItsOwnPlace()
    {
        var held = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new List<int>();
        Task<string> Run(int request)
        {
            started.Add(request);
            return request switch
            {
                1 => held.Task,
                2 => throw new InvalidOperationException("refused at once"),
                3 => Task.FromException<string>(new TimeoutException("failed later")),
                _ => Task.FromResult($"answer {request}"),
            };
        }

        var replies = BatchReplies.AnswerEachAsync([1, 2, 3, 4], Run, ex => ex.Message);
        Assert.Equal([1, 2, 3, 4], started);   // the first is still held: none was awaited before all started
        Assert.False(replies.IsCompleted);

        held.SetResult("answer 1");
        Assert.Equal(["answer 1", "refused at once", "failed later", "answer 4"], await replies.WaitAsync(Bound));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ARequestThatMayLeaveAtOnceGoesByACallOfItsOwnAndWhatQueuesMeanwhileLeavesAsABatch(bool failing)
    {
        var destination = new HeldDestination();
        var alone = new List<(int Request, TaskCompletionSource<string> Answer)>();
        var batcher = new RequestBatcher<int, string>(
            destination.Send,
            request => request,
            new BatchLimits(2, 64, 1 << 20),
            request =>
            {
                var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                alone.Add((request, answer));
                return answer.Task;
            });

        // Two may be out: each of the first two goes on its own (the caller holds that call's own task), the rest queue.
        var first = batcher.SendAsync(1);
        var second = batcher.SendAsync(2);
        var queued = new[] { 3, 4, 5 }.Select(batcher.SendAsync).ToArray();
        Assert.Equal([1, 2], alone.Select(a => a.Request));
        Assert.Same(alone[0].Answer.Task, first);
        Assert.Empty(destination.Batches);

        // When one on its own ends, answered or failed, what queued leaves as one batch in its place.
        if (failing)
        {
            alone[0].Answer.SetException(new TimeoutException("no answer"));
        }
        else
        {
            alone[0].Answer.SetResult("alone 1");
        }

        await destination.WaitForBatchesAsync(1);
        Assert.Equal([3, 4, 5], destination.Batches[0].Requests);
        destination.Answer(0);
        Assert.Equal(["answer 3", "answer 4", "answer 5"], await Task.WhenAll(queued).WaitAsync(Bound));

        // With nothing queued and a place free, the next request goes on its own again.
        alone[1].Answer.SetResult("alone 2");
        Assert.Equal("alone 2", await second.WaitAsync(Bound));
        var third = batcher.SendAsync(6);
        Assert.Equal(6, alone[^1].Request);
        alone[^1].Answer.SetResult("alone 6");
        Assert.Equal("alone 6", await third.WaitAsync(Bound));
        if (!failing)
        {
            Assert.Equal("alone 1", await first.WaitAsync(Bound));
        }
    }
}
