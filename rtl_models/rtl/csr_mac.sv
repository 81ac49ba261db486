// csr_mac: stage 2. LANES MAC lanes and the stage-2 register (acc, overflow flag).
module csr_mac
  import csr_pkg::*;
#(
  parameter int LANES    = 16,
  parameter int ACC_BITS = 32,
  parameter int CH_BITS  = 13
) (
  input  logic                       clk_i,
  input  logic                       rst_n_i,
  input  logic                       adv_i,
  input  logic [3:0]                 fault_i,
  input  logic                       acc_wrap_i,
  input  logic                       valid_i,
  input  logic [4*LANES*8-1:0]       taps_i,     // tap k = [k*LANES*8 +: LANES*8]
  input  logic [LANES*32-1:0]        weight_i,
  input  logic [LANES*ACC_BITS-1:0]  bias_i,
  input  logic [CH_BITS-1:0]         ch_base_i,
  input  logic                       sos_i,
  output logic                       valid_o,
  output logic [LANES*ACC_BITS-1:0]  acc_o,
  output logic [LANES-1:0]           ovf_o,
  output logic [CH_BITS-1:0]         ch_base_o,
  output logic                       sos_o
);

  logic [LANES*ACC_BITS-1:0] acc_d;
  logic [LANES-1:0]          ovf_d;
  logic [LANES*ACC_BITS-1:0] acc_q;
  logic [LANES-1:0]          ovf_q;
  logic [CH_BITS-1:0]        ch_base_q;
  logic                      sos_q;
  logic                      valid_q;
  logic                      load;

  for (genvar l = 0; l < LANES; l++) begin : g_lane
    csr_mac_lane #(.ACC_BITS(ACC_BITS)) u_lane (
      .taps_i     ({taps_i[3*LANES*8 + l*8 +: 8], taps_i[2*LANES*8 + l*8 +: 8],
                    taps_i[LANES*8 + l*8 +: 8], taps_i[l*8 +: 8]}),
      .weight_i   (weight_i[l*32 +: 32]),
      .bias_i     (bias_i[l*ACC_BITS +: ACC_BITS]),
      .acc_wrap_i,
      .fault_i,
      .acc_o      (acc_d[l*ACC_BITS +: ACC_BITS]),
      .ovf_o      (ovf_d[l])
    );
  end

  assign load = adv_i & valid_i;

  always_ff @(posedge clk_i or negedge rst_n_i) begin
    if (!rst_n_i) valid_q <= 1'b0;
    else if (adv_i) valid_q <= valid_i;
  end

  always_ff @(posedge clk_i) begin
    if (load) begin
      acc_q     <= acc_d;
      ovf_q     <= ovf_d;
      ch_base_q <= ch_base_i;
      sos_q     <= sos_i;
    end
  end

  assign valid_o   = valid_q;
  assign acc_o     = acc_q;
  assign ovf_o     = ovf_q;
  assign ch_base_o = ch_base_q;
  assign sos_o     = sos_q;

endmodule
