// The baseline of the activation benchmark: an extension whose activation does nothing.
exports.activate = function activate() {
  return {};
};
exports.deactivate = function deactivate() {};
