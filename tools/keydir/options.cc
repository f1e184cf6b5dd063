#include "tools/keydir/options.h"

#include <iostream>

#include "tools/keydir/command.h"

namespace keydir::tool {

Options& Options::value(std::string name, std::string help, bool repeatable) {
  order_.push_back(name);
  specs_[std::move(name)] = {std::move(help), true, repeatable};
  return *this;
}

Options& Options::flag(std::string name, std::string help) {
  order_.push_back(name);
  specs_[std::move(name)] = {std::move(help), false, false};
  return *this;
}

std::optional<int> Options::parse(const std::vector<std::string_view>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      printHelp();
      return kExitOk;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      positional_.emplace_back(arg);
      continue;
    }
    std::string name(arg.substr(2));
    std::optional<std::string> inline_value;
    if (auto equals = name.find('='); equals != std::string::npos) {
      inline_value = name.substr(equals + 1);
      name.resize(equals);
    }
    auto spec = specs_.find(name);
    if (spec == specs_.end()) return usageError("unknown option --" + name);
    if (!spec->second.takes_value) {
      if (inline_value) return usageError("--" + name + " takes no value");
      values_[name].push_back("true");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return usageError("--" + name + " needs a value");
      inline_value = std::string(args[++i]);
    }
    if (!spec->second.repeatable && values_.count(name)) {
      return usageError("--" + name + " is given twice");
    }
    values_[name].push_back(*inline_value);
  }
  if (positional_.size() != positional_count_) {
    return usageError("expected " + std::to_string(positional_count_) + " argument(s), got " +
                      std::to_string(positional_.size()));
  }
  return std::nullopt;
}

std::optional<std::string> Options::get(const std::string& name) const {
  auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return found->second.front();
}

std::string Options::get(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

std::vector<std::string> Options::all(const std::string& name) const {
  auto found = values_.find(name);
  return found == values_.end() ? std::vector<std::string>{} : found->second;
}

void Options::printHelp() const {
  std::cout << "usage: " << usage_ << "\n\n" << description_ << "\n";
  if (!order_.empty()) std::cout << "\noptions:\n";
  for (const auto& name : order_) {
    const Spec& spec = specs_.at(name);
    std::string left = "  --" + name + (spec.takes_value ? " VALUE" : "");
    if (left.size() < 28)
      left.resize(28, ' ');
    else
      left += "\n" + std::string(28, ' ');
    std::cout << left << spec.help << (spec.repeatable ? " (repeatable)" : "") << "\n";
  }
}

int Options::usageError(const std::string& message) const {
  std::cerr << "keydir: usage error: " << message << "\nusage: " << usage_ << "\n(see --help)\n";
  return kExitUsage;
}

int reportError(const Error& error) {
  std::cerr << "keydir: " << errorTypeName(error.code) << ": " << error.message << "\n";
  return kExitRefused;
}

void printJson(const std::string& dumped) { std::cout << dumped << "\n"; }

}  // namespace keydir::tool
