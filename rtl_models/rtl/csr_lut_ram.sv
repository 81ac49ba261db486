// csr_lut_ram: the SiLU table storage, 2^ADDR_BITS entries of WIDTH bits, one write port and
// PORTS synchronous read ports with a common read enable (read registers hold while re_i is
// low). Physically PORTS copies of a 1R1W SRAM written together (or a PORTS-read register
// file); modelled as one array, which is the same function.
// INIT_FILE, when not "", is $readmemh'ed at initialisation (one entry per line,
// address = idx + 2^(ADDR_BITS-1)).
module csr_lut_ram #(
  parameter int    PORTS     = 16,
  parameter int    WIDTH     = 8,
  parameter int    ADDR_BITS = 10,
  parameter        INIT_FILE = ""
) (
  input  logic                       clk_i,
  input  logic                       we_i,
  input  logic [ADDR_BITS-1:0]       waddr_i,
  input  logic [WIDTH-1:0]           wdata_i,
  input  logic                       re_i,
  input  logic [PORTS*ADDR_BITS-1:0] raddr_i,
  output logic [PORTS*WIDTH-1:0]     rdata_o
);

  logic [WIDTH-1:0] mem_q [2**ADDR_BITS];
  logic [WIDTH-1:0] rdata_q [PORTS];

  if (INIT_FILE != "") begin : g_init
    initial $readmemh(INIT_FILE, mem_q);
  end

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end

  for (genvar p = 0; p < PORTS; p++) begin : g_port
    always_ff @(posedge clk_i) begin
      if (re_i) rdata_q[p] <= mem_q[raddr_i[p*ADDR_BITS +: ADDR_BITS]];
    end
    assign rdata_o[p*WIDTH +: WIDTH] = rdata_q[p];
  end

endmodule
