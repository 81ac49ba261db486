// csr_line_buf: stage 1. Builds the causal 4-tap window of every lane and registers it.
//
// The line buffer holds the 3 previous int8 samples of each lane for the channel group that is
// currently streaming (beat order: for each b, each group, t = 0..L-1). A beat with sos_i is
// t = 0 of its group: its history is zero (docs/datapath.md section 2, no carried state).
//
// taps_o = {tap3, tap2, tap1, tap0}, tap k = [k*LANES*8 +: LANES*8] holds x[t-3+k] of every
// lane (lane l in byte l), so tap 3 is the current beat. Whole-vector shifts, no per-lane logic.
module csr_line_buf
  import csr_pkg::*;
#(
  parameter int LANES   = 16,
  parameter int CH_BITS = 13
) (
  input  logic                  clk_i,
  input  logic                  rst_n_i,
  input  logic                  adv_i,       // pipeline advances (== in_ready_o)
  input  logic [3:0]            fault_i,
  input  logic                  in_valid_i,
  input  logic [LANES*8-1:0]    x_i,
  input  logic [CH_BITS-1:0]    ch_base_i,
  input  logic                  sos_i,
  output logic                  valid_o,
  output logic [4*LANES*8-1:0]  taps_o,
  output logic [CH_BITS-1:0]    ch_base_o,
  output logic                  sos_o
);

  localparam int VW = LANES * 8;

  logic            accept;
  logic            hist_en;
  logic            hist_clr;
  logic [3*VW-1:0] hist_q;     // {x[t-1], x[t-2], x[t-3]} of the next beat
  logic [4*VW-1:0] taps_q;
  logic [CH_BITS-1:0] ch_base_q;
  logic            sos_q;
  logic            valid_q;

  assign accept   = adv_i & in_valid_i;
  // Clean: history moves only with an accepted beat. Fault 14 also moves it on a bubble
  // (enable taken from ready alone), shifting in whatever the idle bus carries.
  assign hist_en  = (fault_i == CSR_F_SHIFT_ON_BUBBLE) ? adv_i : accept;
  assign hist_clr = sos_i & (fault_i != CSR_F_NO_SOS_RESET);

  // The window is formed inside the flop processes (not as a continuous assignment of the
  // inputs): the same logic, but Verilator then evaluates it once per clock edge instead of on
  // every eval() of the inputs.
  always_ff @(posedge clk_i) begin
    if (hist_en) hist_q <= {x_i, hist_clr ? '0 : hist_q[3*VW-1:VW]};   // oldest sample drops out
  end

  always_ff @(posedge clk_i or negedge rst_n_i) begin
    if (!rst_n_i) valid_q <= 1'b0;
    else if (adv_i) valid_q <= in_valid_i;
  end

  always_ff @(posedge clk_i) begin
    if (accept) begin
      taps_q    <= {x_i, hist_clr ? '0 : hist_q};
      ch_base_q <= ch_base_i;
      sos_q     <= sos_i;
    end
  end

  assign valid_o   = valid_q;
  assign taps_o    = taps_q;
  assign ch_base_o = ch_base_q;
  assign sos_o     = sos_q;

endmodule
