using System.Net.Http.Json;
using Berth.Server.Api;

namespace Berth.Server.Tests;

public class EventStreamTests
{
    [Fact]
    public async Task Stream_SendsEachCommittedChange_AsAServerSentEvent()
    {
        await using var h = await ServerHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/events");
        using var response = await h.Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith(":", await reader.ReadLineAsync()); // the stream is open: subscribed before the submit

        var job = await h.SubmitOkAsync(ServerHarness.Job());
        h.Cycle();
        var kinds = new List<string>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a bound against hanging, not a timing check
        while (kinds.Count < 3 && await reader.ReadLineAsync(bound.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var change = System.Text.Json.JsonSerializer.Deserialize<ChangeView>(line["data: ".Length..], ApiJson.Responses)!;
                Assert.Equal(job.Id, change.Job);
                kinds.Add(change.Kind);
            }
        }

        Assert.Equal(["Submitted", "Admitted", "Started"], kinds);
    }

    [Fact]
    public async Task Stream_ShowsASubmitterOnlyItsQueues()
    {
        await using var h = await ServerHarness.StartAsync();
        using var created = await h.Admin.PostAsJsonAsync("api/v1/tokens", new { role = "submitter", queues = new[] { "team-a" } });
        using var alice = h.Client((await created.Content.ReadFromJsonAsync<TokenCreated>(ApiJson.Responses))!.Token);
        using var response = await alice.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/events"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadLineAsync();

        await h.SubmitOkAsync(ServerHarness.Job(queue: "team-b"));
        var mine = await h.SubmitOkAsync(ServerHarness.Job(queue: "team-a"));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? data = null;
        while (data is null && await reader.ReadLineAsync(bound.Token) is { } line)
        {
            data = line.StartsWith("data: ", StringComparison.Ordinal) ? line : null;
        }

        Assert.Contains($"\"job\":\"{mine.Id}\"", data, StringComparison.Ordinal);
    }
}
