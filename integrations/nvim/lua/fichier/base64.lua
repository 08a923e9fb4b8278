-- Base64 (RFC 4648, with padding) in plain Lua 5.1 arithmetic: Neovim 0.7 has no vim.base64,
-- and not every build has LuaJIT's bit module.

local alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local symbols = {}
for index = 1, 64 do
  symbols[index - 1] = alphabet:sub(index, index)
end

local M = {}

--- The base64 text of the bytes of `data`.
function M.encode(data)
  local out = {}
  local length = #data
  for index = 1, length, 3 do
    local a, b, c = data:byte(index, index + 2)
    local triple = a * 65536 + (b or 0) * 256 + (c or 0)
    local s1 = math.floor(triple / 262144) % 64
    local s2 = math.floor(triple / 4096) % 64
    local s3 = math.floor(triple / 64) % 64
    local s4 = triple % 64
    out[#out + 1] = symbols[s1] .. symbols[s2]
      .. (b and symbols[s3] or '=')
      .. (c and symbols[s4] or '=')
  end
  return table.concat(out)
end

return M
