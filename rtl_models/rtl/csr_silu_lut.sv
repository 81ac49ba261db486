// csr_silu_lut: stage 4. SiLU table lookup (docs/datapath.md section 5.3):
// y = entry[idx + 2^(N-1)]. The table (csr_lut_ram) has LANES read ports (physically one copy
// per lane); the config port (cfg_sel_i == LUT, cfg_addr_i = table address < 2^N) writes it.
// LUT_INIT_FILE, when not "", is $readmemh'ed into it at initialisation.
// The table RAM's read register is the stage-4 register for the code; index, accumulator and
// flags travel alongside for the debug outputs.
module csr_silu_lut
  import csr_pkg::*;
#(
  parameter int    LANES          = 16,
  parameter int    ACC_BITS       = 32,
  parameter int    LUT_INDEX_BITS = 10,
  parameter int    OUT_BITS       = 8,
  parameter int    CH_BITS        = 13,
  parameter        LUT_INIT_FILE  = ""
) (
  input  logic                             clk_i,
  input  logic                             rst_n_i,
  input  logic                             adv_i,
  input  logic [3:0]                       fault_i,
  input  logic                             cfg_we_i,
  input  logic [2:0]                       cfg_sel_i,
  input  logic [31:0]                      cfg_addr_i,
  input  logic [OUT_BITS-1:0]              cfg_wdata_i,
  input  logic                             valid_i,
  input  logic [LANES*LUT_INDEX_BITS-1:0]  idx_i,
  input  logic [LANES-1:0]                 sat_i,
  input  logic [LANES*ACC_BITS-1:0]        acc_i,
  input  logic [LANES-1:0]                 ovf_i,
  input  logic [CH_BITS-1:0]               ch_base_i,
  input  logic                             sos_i,
  output logic                             valid_o,
  output logic [LANES*OUT_BITS-1:0]        y_o,
  output logic [LANES*LUT_INDEX_BITS-1:0]  idx_o,
  output logic [LANES-1:0]                 sat_o,
  output logic [LANES*ACC_BITS-1:0]        acc_o,
  output logic [LANES-1:0]                 ovf_o,
  output logic [CH_BITS-1:0]               ch_base_o,
  output logic                             sos_o
);

  localparam int N       = LUT_INDEX_BITS;
  localparam int ENTRIES = 1 << N;

  logic                       load;
  logic                       cfg_lut_we;
  logic [N-1:0]               cfg_waddr;
  logic [LANES*N-1:0]         idx_q;
  logic [LANES-1:0]           sat_q;
  logic [LANES*ACC_BITS-1:0]  acc_q;
  logic [LANES-1:0]           ovf_q;
  logic [CH_BITS-1:0]         ch_base_q;
  logic                       sos_q;
  logic                       valid_q;

  assign load       = adv_i & valid_i;
  assign cfg_lut_we = cfg_we_i & (cfg_sel_i == CSR_SEL_LUT) & (cfg_addr_i < ENTRIES);
  assign cfg_waddr  = cfg_addr_i[N-1:0];

  logic [LANES*N-1:0]        raddr;
  logic [LANES*OUT_BITS-1:0] code;

  for (genvar l = 0; l < LANES; l++) begin : g_lane
    logic [N-1:0] idx;
    assign idx = idx_i[l*N +: N];
    // address = idx + 2^(N-1): flip the sign bit. Fault 3: one entry too far.
    assign raddr[l*N +: N] = {~idx[N-1], idx[N-2:0]}
                           + ((fault_i == CSR_F_LUT_ADDR_PLUS_ONE) ? N'(1) : N'(0));
    // Fault 10: the sign (top bit) of the output code is lost.
    assign y_o[l*OUT_BITS +: OUT_BITS] = (fault_i == CSR_F_OUT_SIGN_LOST)
        ? {1'b0, code[l*OUT_BITS +: OUT_BITS-1]} : code[l*OUT_BITS +: OUT_BITS];
  end

  csr_lut_ram #(.PORTS(LANES), .WIDTH(OUT_BITS), .ADDR_BITS(N), .INIT_FILE(LUT_INIT_FILE)) u_table (
    .clk_i,
    .we_i    (cfg_lut_we),
    .waddr_i (cfg_waddr),
    .wdata_i (cfg_wdata_i),
    .re_i    (load),
    .raddr_i (raddr),
    .rdata_o (code)
  );

  always_ff @(posedge clk_i or negedge rst_n_i) begin
    if (!rst_n_i) valid_q <= 1'b0;
    else if (adv_i) valid_q <= valid_i;
  end

  always_ff @(posedge clk_i) begin
    if (load) begin
      idx_q     <= idx_i;
      sat_q     <= sat_i;
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
