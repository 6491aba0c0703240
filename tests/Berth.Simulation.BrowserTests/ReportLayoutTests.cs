using System.Text.Json;
using Microsoft.Playwright;

namespace Berth.Simulation.BrowserTests;

/// <summary>
/// Opens generated reports in a real browser at a desktop and a narrow width and checks what a reader would
/// notice: no table or chart running off its card, every chart drawn (a canvas with pixels on it) and no
/// script error. Screenshots go to the test output folder, and to BERTH_SCREENSHOTS_DIR when it is set
/// (docs/screenshots holds the ones the README shows).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportLayoutTests(BrowserFixture browser, SampleReports reports)
{
    public static TheoryData<string, int> Pages()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in SampleReports.Names)
        {
            data.Add(name, 1400);
            data.Add(name, 800);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Report_AtWidth_NothingOverflowsAndEveryChartIsDrawn(string name, int width)
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };

        try
        {
            await page.GotoAsync(new Uri(reports.PathOf(name)).AbsoluteUri);
            await page.WaitForSelectorAsync("body[data-charts-drawn]", new PageWaitForSelectorOptions { Timeout = 30_000 });
            var result = await page.EvaluateAsync<JsonElement>(Check, width >= 1400);
            await Screenshot(page, name, width);

            Assert.Empty(errors);
            var canvases = result.GetProperty("canvases").GetInt32();
            Assert.True(canvases >= 3, $"{name}: only {canvases} charts");
            Assert.Equal(canvases.ToString(System.Globalization.CultureInfo.InvariantCulture), result.GetProperty("drawn").GetString());
            Assert.Empty(result.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private static async Task Screenshot(IPage page, string name, int width)
    {
        var file = $"{Path.GetFileNameWithoutExtension(name)}-{width}.png";
        var local = Path.Combine(AppContext.BaseDirectory, "screenshots", file);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = local, FullPage = true });
        if (Environment.GetEnvironmentVariable("BERTH_SCREENSHOTS_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            File.Copy(local, Path.Combine(dir, file), overwrite: true);
        }
    }

    // Returns { problems: [...], canvases, drawn }. wide: at desktop width a table must fit without scrolling.
    private const string Check = """
        (wide) => {
          const problems = [];
          const root = document.documentElement;
          if (root.scrollWidth > root.clientWidth + 1) {
            problems.push('the page scrolls sideways: ' + root.scrollWidth + ' px wide in a ' + root.clientWidth + ' px window');
          }
          const describe = (el) => (el.closest('section')?.querySelector('h2')?.textContent || '?') + ' / ' + (el.getAttribute('data-chart') || el.tagName.toLowerCase());
          document.querySelectorAll('section').forEach((section) => {
            const card = section.getBoundingClientRect();
            section.querySelectorAll('.table-wrap, figure, canvas, p, h2, h3').forEach((el) => {
              const r = el.getBoundingClientRect();
              if (r.left < card.left - 1 || r.right > card.right + 1) {
                problems.push(describe(el) + ' runs off its card (' + Math.round(r.left) + '..' + Math.round(r.right) + ' in ' + Math.round(card.left) + '..' + Math.round(card.right) + ')');
              }
            });
            section.querySelectorAll('table').forEach((table) => {
              const wrap = table.closest('.table-wrap');
              if (!wrap) {
                problems.push(describe(table) + ': a table outside a scrolling wrapper');
              } else if (wide && wrap.scrollWidth > wrap.clientWidth + 1) {
                problems.push(describe(table) + ': a table needs ' + wrap.scrollWidth + ' px but has ' + wrap.clientWidth + ' px at desktop width');
              }
            });
          });
          const canvases = Array.from(document.querySelectorAll('canvas'));
          canvases.forEach((canvas) => {
            const r = canvas.getBoundingClientRect();
            if (r.width < 150 || r.height < 100) {
              problems.push(describe(canvas.closest('figure') || canvas) + ' is drawn too small: ' + Math.round(r.width) + 'x' + Math.round(r.height));
              return;
            }
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { inked++; } }
            if (inked < 500) {
              problems.push(describe(canvas.closest('figure') || canvas) + ' is blank');
            }
          });
          return { problems, canvases: canvases.length, drawn: document.body.getAttribute('data-charts-drawn') };
        }
        """;
}
