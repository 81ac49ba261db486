// csr_param_ram: per-channel parameters. Channel d lives in row d / LANES, lane d % LANES of
// four RAMs (weights, bias_acc, M, shift) whose word is one row of LANES fields. Two
// synchronous read ports at different pipeline stages:
//   port A (issued in stage 0, data in stage 1): weight taps and bias_acc, for the MAC;
//   port B (issued in stage 1, data in stage 2): M and shift, for the requantizer.
// The top reads them on the first (sos) beat of a channel group only; the read registers then
// hold the group's parameters for all its beats (one RAM access per group, not per beat).
// Writes come from the config port (cfg_sel_i WEIGHT/BIAS/MULT/SHIFT, cfg_addr_i = d < D_MAX).
module csr_param_ram
  import csr_pkg::*;
#(
  parameter int LANES     = 16,
  parameter int ACC_BITS  = 32,
  parameter int MULT_BITS = 16,
  parameter int D_MAX     = 8192,
  parameter int CH_BITS   = 13
) (
  input  logic                        clk_i,
  input  logic [3:0]                  fault_i,
  input  logic                        cfg_we_i,
  input  logic [2:0]                  cfg_sel_i,
  input  logic [31:0]                 cfg_addr_i,
  input  logic [31:0]                 cfg_wdata_i,
  input  logic                        rd_a_en_i,
  input  logic [CH_BITS-1:0]          rd_a_ch_i,
  output logic [LANES*32-1:0]         weight_o,
  output logic [LANES*ACC_BITS-1:0]   bias_o,
  input  logic                        rd_b_en_i,
  input  logic [CH_BITS-1:0]          rd_b_ch_i,
  output logic [LANES*MULT_BITS-1:0]  mult_o,
  output logic [LANES*6-1:0]          shift_o
);

  localparam int ROWS     = D_MAX / LANES;
  localparam int ROW_BITS = (ROWS > 1) ? $clog2(ROWS) : 1;
  localparam int LW       = (LANES > 1) ? $clog2(LANES) : 1;

  logic [31:0]          cfg_lane_full;
  logic [31:0]          cfg_row_full;
  logic [LW-1:0]        cfg_lane;
  logic [ROW_BITS-1:0]  cfg_row;
  logic                 cfg_ok;
  logic [31:0]          row_a_full;
  logic [31:0]          row_b_full;
  logic [ROW_BITS-1:0]  row_a;
  logic [ROW_BITS-1:0]  row_a_eff;
  logic [ROW_BITS-1:0]  row_b;
  logic [ROW_BITS-1:0]  prev_row_a_q;

  assign cfg_lane_full = cfg_addr_i % LANES;
  assign cfg_row_full  = cfg_addr_i / LANES;
  assign cfg_lane      = cfg_lane_full[LW-1:0];
  assign cfg_row       = cfg_row_full[ROW_BITS-1:0];
  assign cfg_ok        = cfg_we_i & (cfg_addr_i < D_MAX);
  assign row_a_full    = 32'(rd_a_ch_i) / LANES;
  assign row_b_full    = 32'(rd_b_ch_i) / LANES;
  assign row_a         = row_a_full[ROW_BITS-1:0];
  assign row_b         = row_b_full[ROW_BITS-1:0];

  // Table write enables (kept out of the port connections: Icarus Verilog 11 does not resolve
  // package constants there).
  logic we_weight, we_bias, we_mult, we_shift;
  assign we_weight = cfg_ok & (cfg_sel_i == CSR_SEL_WEIGHT);
  assign we_bias   = cfg_ok & (cfg_sel_i == CSR_SEL_BIAS);
  assign we_mult   = cfg_ok & (cfg_sel_i == CSR_SEL_MULT);
  assign we_shift  = cfg_ok & (cfg_sel_i == CSR_SEL_SHIFT);

  // Fault 13: port A reads the row of the previous read (the previous group), as if its address
  // were registered one group late: a whole group runs with its predecessor's weights/bias.
  always_ff @(posedge clk_i) begin
    if (rd_a_en_i) prev_row_a_q <= row_a;
  end
  assign row_a_eff = (fault_i == CSR_F_STALE_PARAMS) ? prev_row_a_q : row_a;

  // The quotient / remainder bits above ROW_BITS / LW are zero for every legal address.
  logic unused_ok;
  assign unused_ok = ^{cfg_lane_full, cfg_row_full, row_a_full, row_b_full};

  csr_ram_lanes #(.LANES(LANES), .WIDTH(32), .DEPTH(ROWS)) u_weight (
    .clk_i,
    .we_i    (we_weight),
    .waddr_i (cfg_row),
    .wlane_i (cfg_lane),
    .wdata_i (cfg_wdata_i),
    .re_i    (rd_a_en_i),
    .raddr_i (row_a_eff),
    .rdata_o (weight_o)
  );

  csr_ram_lanes #(.LANES(LANES), .WIDTH(ACC_BITS), .DEPTH(ROWS)) u_bias (
    .clk_i,
    .we_i    (we_bias),
    .waddr_i (cfg_row),
    .wlane_i (cfg_lane),
    .wdata_i (cfg_wdata_i[ACC_BITS-1:0]),
    .re_i    (rd_a_en_i),
    .raddr_i (row_a_eff),
    .rdata_o (bias_o)
  );

  csr_ram_lanes #(.LANES(LANES), .WIDTH(MULT_BITS), .DEPTH(ROWS)) u_mult (
    .clk_i,
    .we_i    (we_mult),
    .waddr_i (cfg_row),
    .wlane_i (cfg_lane),
    .wdata_i (cfg_wdata_i[MULT_BITS-1:0]),
    .re_i    (rd_b_en_i),
    .raddr_i (row_b),
    .rdata_o (mult_o)
  );

  csr_ram_lanes #(.LANES(LANES), .WIDTH(6), .DEPTH(ROWS)) u_shift (
    .clk_i,
    .we_i    (we_shift),
    .waddr_i (cfg_row),
    .wlane_i (cfg_lane),
    .wdata_i (cfg_wdata_i[5:0]),
    .re_i    (rd_b_en_i),
    .raddr_i (row_b),
    .rdata_o (shift_o)
  );

endmodule
