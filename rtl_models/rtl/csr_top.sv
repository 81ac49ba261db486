// csr_top: int-lut conv1d(width 4) + requant + SiLU-table datapath, streaming, LANES channels
// per beat. Bit-exact contract: docs/datapath.md, profile int-lut, sections 2-5.
//
// Pipeline (one register stage per module, all stages stall together on adv):
//   stage 1 csr_line_buf   window of 4 taps per lane      | param RAM A read (weights, bias)
//   stage 2 csr_mac        acc = sat/wrap_A(bias + sum w*x) | param RAM B read (M, shift)
// The parameter RAMs are read once per channel group, on its sos beat (the read registers hold
// the group's parameters for its L beats): every group must start with sos_i.
//   stage 3 csr_requant    idx = sat_N(round_shift(acc*M, shift))
//   stage 4 csr_silu_lut   code = table[idx + 2^(N-1)]
//   stage 5 csr_out_buf    output register + skid entry (valid/ready)
// Latency: 5 cycles from an accepted input beat to out_valid_o. in_ready_o is a register
// output (no combinational path from out_ready_i).
//
// Beat order expected by the line buffer: for each sequence b, for each channel group
// (ch_base = g*LANES), t = 0..L-1, with sos_i on t = 0. ch_base_i must be a multiple of LANES
// and below D_MAX. A partial last group (D % LANES != 0) is fed padded (any x, outputs of the
// padding lanes are don't-care).
//
// Faults: the effective fault id is fault_sel_i when ENABLE_FAULTS != 0, else the constant
// FAULT. With ENABLE_FAULTS = 0 and FAULT = 0 (the default, the synthesizable clean design)
// every fault mux has a constant select and is removed by constant propagation: there is no
// fault logic in the netlist, and fault_sel_i is unused (tie it to 0).
//
// Knobs: rounding mode and accumulator overflow mode are the ROUNDING / ACC_WRAP parameters.
// With RUNTIME_KNOBS != 0 (verification builds) they are a control register written through
// the config port (CSR_SEL_CTRL), reset to ROUNDING / ACC_WRAP.
module csr_top
  import csr_pkg::*;
#(
  parameter int    LANES          = 16,
  parameter int    ACC_BITS       = 32,    // 16..32
  parameter int    MULT_BITS      = 16,    // 2..31
  parameter int    LUT_INDEX_BITS = 10,    // 4..20 (table 2^N entries per lane)
  parameter int    OUT_BITS       = 8,     // 2..24
  parameter int    ROUNDING       = 0,     // 0 half-away, 1 half-even, 2 half-up, 3 truncate
  parameter int    ACC_WRAP       = 0,     // 0 saturate, 1 wrap
  parameter int    D_MAX          = 8192,  // channels held in the parameter RAM
  parameter int    FAULT          = 0,     // constant fault id when ENABLE_FAULTS == 0
  parameter int    ENABLE_FAULTS  = 0,     // 1: fault id from fault_sel_i at run time
  parameter int    RUNTIME_KNOBS  = 0,     // 1: rounding / acc_wrap from the CTRL register
  parameter        LUT_INIT_FILE  = "",    // $readmemh of the SiLU table, "" = none
  localparam int   CH_BITS        = (D_MAX > 1) ? $clog2(D_MAX) : 1
) (
  input  logic                              clk_i,
  input  logic                              rst_n_i,       // asynchronous, active low
  // config port: one write per cycle (tables must not be written while beats are in flight)
  input  logic                              cfg_we_i,
  input  logic [2:0]                        cfg_sel_i,
  input  logic [31:0]                       cfg_addr_i,
  input  logic [31:0]                       cfg_wdata_i,
  // planted-fault select (verification builds only, see above)
  input  logic [3:0]                        fault_sel_i,
  // input stream
  input  logic                              in_valid_i,
  output logic                              in_ready_o,
  input  logic [LANES*8-1:0]                x_i,           // lane l: bits [l*8 +: 8]
  input  logic [CH_BITS-1:0]                ch_base_i,
  input  logic                              sos_i,
  // output stream
  output logic                              out_valid_o,
  input  logic                              out_ready_i,
  output logic [LANES*OUT_BITS-1:0]         y_o,           // lane l: bits [l*OUT_BITS +: OUT_BITS]
  output logic [CH_BITS-1:0]                ch_base_o,
  output logic                              sos_o,
  // per-lane debug, same beat as y_o
  output logic [LANES*ACC_BITS-1:0]         dbg_acc_o,     // accumulator after sat/wrap
  output logic [LANES-1:0]                  dbg_acc_ovf_o, // sum was outside ACC_BITS
  output logic [LANES*LUT_INDEX_BITS-1:0]   dbg_idx_o,     // table index after saturation
  output logic [LANES-1:0]                  dbg_idx_sat_o  // index saturated
);

  localparam int N = LUT_INDEX_BITS;

  // ---- parameter checks (elaboration time; Icarus Verilog 11 has no elaboration-time
  // $error, it gets the same checks at time 0) ----
`ifndef __ICARUS__
  if (LANES < 1) begin : g_err_lanes
    $error("csr_top: LANES must be >= 1");
  end
  if (D_MAX % LANES != 0 || D_MAX < LANES) begin : g_err_dmax
    $error("csr_top: D_MAX must be a positive multiple of LANES");
  end
  if (ACC_BITS < 16 || ACC_BITS > 32) begin : g_err_acc
    $error("csr_top: ACC_BITS must be 16..32");
  end
  if (MULT_BITS < 2 || MULT_BITS > 31) begin : g_err_mult
    $error("csr_top: MULT_BITS must be 2..31");
  end
  if (N < 4 || N > 20) begin : g_err_lut
    $error("csr_top: LUT_INDEX_BITS must be 4..20");
  end
  if (OUT_BITS < 2 || OUT_BITS > 24) begin : g_err_out
    $error("csr_top: OUT_BITS must be 2..24");
  end
  if (ROUNDING < 0 || ROUNDING > 3 || ACC_WRAP < 0 || ACC_WRAP > 1) begin : g_err_knob
    $error("csr_top: ROUNDING must be 0..3 and ACC_WRAP 0..1");
  end
  if (FAULT < 0 || FAULT >= CSR_NUM_FAULTS) begin : g_err_fault
    $error("csr_top: FAULT out of range");
  end
`else
  initial begin
    if (LANES < 1) $fatal(1, "csr_top: LANES must be >= 1");
    if (D_MAX % LANES != 0 || D_MAX < LANES) $fatal(1, "csr_top: D_MAX must be a positive multiple of LANES");
    if (ACC_BITS < 16 || ACC_BITS > 32) $fatal(1, "csr_top: ACC_BITS must be 16..32");
    if (MULT_BITS < 2 || MULT_BITS > 31) $fatal(1, "csr_top: MULT_BITS must be 2..31");
    if (N < 4 || N > 20) $fatal(1, "csr_top: LUT_INDEX_BITS must be 4..20");
    if (OUT_BITS < 2 || OUT_BITS > 24) $fatal(1, "csr_top: OUT_BITS must be 2..24");
    if (ROUNDING < 0 || ROUNDING > 3 || ACC_WRAP < 0 || ACC_WRAP > 1) $fatal(1, "csr_top: ROUNDING must be 0..3 and ACC_WRAP 0..1");
    if (FAULT < 0 || FAULT >= CSR_NUM_FAULTS) $fatal(1, "csr_top: FAULT out of range");
  end
`endif

  // ---- fault select and knobs ----
  logic [3:0] fault;
  logic [1:0] rounding;
  logic       acc_wrap;

  if (ENABLE_FAULTS != 0) begin : g_fault_rt
    assign fault = fault_sel_i;
  end else begin : g_fault_const
    assign fault = (FAULT == 0) ? CSR_F_NONE : 4'(FAULT);
    logic unused_ok;
    assign unused_ok = ^fault_sel_i;   // port kept for a uniform interface; tied 0 by users
  end

  if (RUNTIME_KNOBS != 0) begin : g_knobs_rt
    logic [1:0] rounding_q;
    logic       acc_wrap_q;
    always_ff @(posedge clk_i or negedge rst_n_i) begin
      if (!rst_n_i) begin
        rounding_q <= 2'(ROUNDING);
        acc_wrap_q <= (ACC_WRAP != 0);
      end else if (cfg_we_i && cfg_sel_i == CSR_SEL_CTRL && cfg_addr_i == 32'd0) begin
        rounding_q <= cfg_wdata_i[1:0];
        acc_wrap_q <= cfg_wdata_i[2];
      end
    end
    assign rounding = rounding_q;
    assign acc_wrap = acc_wrap_q;
  end else begin : g_knobs_const
    assign rounding = 2'(ROUNDING);
    assign acc_wrap = (ACC_WRAP != 0);
  end

  // ---- stages ----
  logic                    adv;

  logic                    s1_valid;
  logic [4*LANES*8-1:0]    s1_taps;
  logic [CH_BITS-1:0]      s1_ch;
  logic                    s1_sos;
  logic [LANES*32-1:0]     s1_weight;
  logic [LANES*ACC_BITS-1:0] s1_bias;

  logic                    s2_valid;
  logic [LANES*ACC_BITS-1:0] s2_acc;
  logic [LANES-1:0]        s2_ovf;
  logic [CH_BITS-1:0]      s2_ch;
  logic                    s2_sos;
  logic [LANES*MULT_BITS-1:0] s2_mult;
  logic [LANES*6-1:0]      s2_shift;

  logic                    s3_valid;
  logic [LANES*N-1:0]      s3_idx;
  logic [LANES-1:0]        s3_sat;
  logic [LANES*ACC_BITS-1:0] s3_acc;
  logic [LANES-1:0]        s3_ovf;
  logic [CH_BITS-1:0]      s3_ch;
  logic                    s3_sos;

  logic                    s4_valid;
  logic [LANES*OUT_BITS-1:0] s4_y;
  logic [LANES*N-1:0]      s4_idx;
  logic [LANES-1:0]        s4_sat;
  logic [LANES*ACC_BITS-1:0] s4_acc;
  logic [LANES-1:0]        s4_ovf;
  logic [CH_BITS-1:0]      s4_ch;
  logic                    s4_sos;

  csr_line_buf #(.LANES(LANES), .CH_BITS(CH_BITS)) u_line_buf (
    .clk_i, .rst_n_i,
    .adv_i      (adv),
    .fault_i    (fault),
    .in_valid_i,
    .x_i,
    .ch_base_i,
    .sos_i,
    .valid_o    (s1_valid),
    .taps_o     (s1_taps),
    .ch_base_o  (s1_ch),
    .sos_o      (s1_sos)
  );

  csr_param_ram #(
    .LANES(LANES), .ACC_BITS(ACC_BITS), .MULT_BITS(MULT_BITS), .D_MAX(D_MAX), .CH_BITS(CH_BITS)
  ) u_param_ram (
    .clk_i,
    .fault_i    (fault),
    .cfg_we_i, .cfg_sel_i, .cfg_addr_i, .cfg_wdata_i,
    .rd_a_en_i  (adv & in_valid_i & sos_i),
    .rd_a_ch_i  (ch_base_i),
    .weight_o   (s1_weight),
    .bias_o     (s1_bias),
    .rd_b_en_i  (adv & s1_valid & s1_sos),
    .rd_b_ch_i  (s1_ch),
    .mult_o     (s2_mult),
    .shift_o    (s2_shift)
  );

  csr_mac #(.LANES(LANES), .ACC_BITS(ACC_BITS), .CH_BITS(CH_BITS)) u_mac (
    .clk_i, .rst_n_i,
    .adv_i      (adv),
    .fault_i    (fault),
    .acc_wrap_i (acc_wrap),
    .valid_i    (s1_valid),
    .taps_i     (s1_taps),
    .weight_i   (s1_weight),
    .bias_i     (s1_bias),
    .ch_base_i  (s1_ch),
    .sos_i      (s1_sos),
    .valid_o    (s2_valid),
    .acc_o      (s2_acc),
    .ovf_o      (s2_ovf),
    .ch_base_o  (s2_ch),
    .sos_o      (s2_sos)
  );

  csr_requant #(
    .LANES(LANES), .ACC_BITS(ACC_BITS), .MULT_BITS(MULT_BITS), .LUT_INDEX_BITS(N),
    .CH_BITS(CH_BITS)
  ) u_requant (
    .clk_i, .rst_n_i,
    .adv_i      (adv),
    .fault_i    (fault),
    .rounding_i (rounding),
    .valid_i    (s2_valid),
    .acc_i      (s2_acc),
    .ovf_i      (s2_ovf),
    .mult_i     (s2_mult),
    .shift_i    (s2_shift),
    .ch_base_i  (s2_ch),
    .sos_i      (s2_sos),
    .valid_o    (s3_valid),
    .idx_o      (s3_idx),
    .sat_o      (s3_sat),
    .acc_o      (s3_acc),
    .ovf_o      (s3_ovf),
    .ch_base_o  (s3_ch),
    .sos_o      (s3_sos)
  );

  csr_silu_lut #(
    .LANES(LANES), .ACC_BITS(ACC_BITS), .LUT_INDEX_BITS(N), .OUT_BITS(OUT_BITS),
    .CH_BITS(CH_BITS), .LUT_INIT_FILE(LUT_INIT_FILE)
  ) u_silu_lut (
    .clk_i, .rst_n_i,
    .adv_i      (adv),
    .fault_i    (fault),
    .cfg_we_i, .cfg_sel_i, .cfg_addr_i,
    .cfg_wdata_i (cfg_wdata_i[OUT_BITS-1:0]),
    .valid_i    (s3_valid),
    .idx_i      (s3_idx),
    .sat_i      (s3_sat),
    .acc_i      (s3_acc),
    .ovf_i      (s3_ovf),
    .ch_base_i  (s3_ch),
    .sos_i      (s3_sos),
    .valid_o    (s4_valid),
    .y_o        (s4_y),
    .idx_o      (s4_idx),
    .sat_o      (s4_sat),
    .acc_o      (s4_acc),
    .ovf_o      (s4_ovf),
    .ch_base_o  (s4_ch),
    .sos_o      (s4_sos)
  );

  csr_out_buf #(
    .LANES(LANES), .ACC_BITS(ACC_BITS), .LUT_INDEX_BITS(N), .OUT_BITS(OUT_BITS),
    .CH_BITS(CH_BITS)
  ) u_out_buf (
    .clk_i, .rst_n_i,
    .fault_i    (fault),
    .adv_o      (adv),
    .valid_i    (s4_valid),
    .y_i        (s4_y),
    .idx_i      (s4_idx),
    .sat_i      (s4_sat),
    .acc_i      (s4_acc),
    .ovf_i      (s4_ovf),
    .ch_base_i  (s4_ch),
    .sos_i      (s4_sos),
    .valid_o    (out_valid_o),
    .ready_i    (out_ready_i),
    .y_o,
    .idx_o      (dbg_idx_o),
    .sat_o      (dbg_idx_sat_o),
    .acc_o      (dbg_acc_o),
    .ovf_o      (dbg_acc_ovf_o),
    .ch_base_o,
    .sos_o
  );

  assign in_ready_o = adv;

endmodule
