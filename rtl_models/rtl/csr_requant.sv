// csr_requant: stage 3. LANES requantizer lanes and the stage-3 register (index, saturation
// flag), carrying the accumulator and its overflow flag along for the debug outputs.
module csr_requant
  import csr_pkg::*;
#(
  parameter int LANES          = 16,
  parameter int ACC_BITS       = 32,
  parameter int MULT_BITS      = 16,
  parameter int LUT_INDEX_BITS = 10,
  parameter int CH_BITS        = 13
) (
  input  logic                             clk_i,
  input  logic                             rst_n_i,
  input  logic                             adv_i,
  input  logic [3:0]                       fault_i,
  input  logic [1:0]                       rounding_i,
  input  logic                             valid_i,
  input  logic [LANES*ACC_BITS-1:0]        acc_i,
  input  logic [LANES-1:0]                 ovf_i,
  input  logic [LANES*MULT_BITS-1:0]       mult_i,
  input  logic [LANES*6-1:0]               shift_i,
  input  logic [CH_BITS-1:0]               ch_base_i,
  input  logic                             sos_i,
  output logic                             valid_o,
  output logic [LANES*LUT_INDEX_BITS-1:0]  idx_o,
  output logic [LANES-1:0]                 sat_o,
  output logic [LANES*ACC_BITS-1:0]        acc_o,
  output logic [LANES-1:0]                 ovf_o,
  output logic [CH_BITS-1:0]               ch_base_o,
  output logic                             sos_o
);

  localparam int N = LUT_INDEX_BITS;

  logic [LANES*N-1:0]        idx_d;
  logic [LANES-1:0]          sat_d;
  logic [LANES*N-1:0]        idx_q;
  logic [LANES-1:0]          sat_q;
  logic [LANES*ACC_BITS-1:0] acc_q;
  logic [LANES-1:0]          ovf_q;
  logic [CH_BITS-1:0]        ch_base_q;
  logic                      sos_q;
  logic                      valid_q;
  logic                      load;

  for (genvar l = 0; l < LANES; l++) begin : g_lane
    csr_requant_lane #(
      .ACC_BITS       (ACC_BITS),
      .MULT_BITS      (MULT_BITS),
      .LUT_INDEX_BITS (LUT_INDEX_BITS)
    ) u_lane (
      .acc_i      (acc_i[l*ACC_BITS +: ACC_BITS]),
      .mult_i     (mult_i[l*MULT_BITS +: MULT_BITS]),
      .shift_i    (shift_i[l*6 +: 6]),
      .rounding_i,
      .fault_i,
      .idx_o      (idx_d[l*N +: N]),
      .sat_o      (sat_d[l])
    );
  end

  assign load = adv_i & valid_i;

  always_ff @(posedge clk_i or negedge rst_n_i) begin
    if (!rst_n_i) valid_q <= 1'b0;
    else if (adv_i) valid_q <= valid_i;
  end

  always_ff @(posedge clk_i) begin
    if (load) begin
      idx_q     <= idx_d;
      sat_q     <= sat_d;
      acc_q     <= acc_i;
      ovf_q     <= ovf_i;
      ch_base_q <= ch_base_i;
      sos_q     <= sos_i;
    end
  end

  assign valid_o   = valid_q;
  assign idx_o     = idx_q;
  assign sat_o     = sat_q;
  assign acc_o     = acc_q;
  assign ovf_o     = ovf_q;
  assign ch_base_o = ch_base_q;
  assign sos_o     = sos_q;

endmodule
