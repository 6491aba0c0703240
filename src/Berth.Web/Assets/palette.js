// Berth's colours: the Okabe-Ito palette (readable with the common kinds of colour blindness), in the order the
// simulator's reports use for policies (Berth.Simulation.Reports.PolicyColors), so a report and the live view look alike.
"use strict";
window.BerthPalette = Object.freeze({
  series: ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#555555", "#8C6D31", "#7B3294", "#B8860B"],
  timeline: { allocated: "#0072B2", fragmented: "#D55E00", free: "#009E73", used: "#CC79A7", idleAllocated: "#E69F00" },
  states: { pending: "#E69F00", held: "#555555", running: "#0072B2", succeeded: "#009E73", failed: "#D55E00", cancelled: "#8C6D31" },
});
