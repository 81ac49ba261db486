// csr_ram_lanes: a RAM whose word is one row of LANES fields of WIDTH bits; one write port
// that writes a single field (lane write mask, as the byte/bit-enable of an SRAM macro), one
// synchronous read port that reads a whole row, with read enable (the read register holds
// while re_i is low, so a stalled pipeline keeps its operand).
module csr_ram_lanes #(
  parameter int  LANES = 16,
  parameter int  WIDTH = 32,
  parameter int  DEPTH = 512,
  localparam int AW    = (DEPTH > 1) ? $clog2(DEPTH) : 1,
  localparam int LW    = (LANES > 1) ? $clog2(LANES) : 1
) (
  input  logic                   clk_i,
  input  logic                   we_i,
  input  logic [AW-1:0]          waddr_i,
  input  logic [LW-1:0]          wlane_i,
  input  logic [WIDTH-1:0]       wdata_i,
  input  logic                   re_i,
  input  logic [AW-1:0]          raddr_i,
  output logic [LANES*WIDTH-1:0] rdata_o
);

  logic [LANES*WIDTH-1:0] mem_q [DEPTH];
  logic [LANES*WIDTH-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i][wlane_i*WIDTH +: WIDTH] <= wdata_i;
    if (re_i) rdata_q <= mem_q[raddr_i];
  end

  assign rdata_o = rdata_q;

endmodule
