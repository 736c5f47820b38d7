#include "cli/help.h"

#include "cli/args.h"

namespace ember::cli {

namespace {

std::string Entry(const std::string& name, const CommandInfo& info) {
  std::string out = "\n  " + name;
  if (!info.synopsis.empty()) out += " " + info.synopsis;
  out += "\n";
  if (!info.summary.empty()) out += "  summary: " + info.summary + "\n";
  if (!info.since.empty()) out += "  since: " + info.since + "\n";
  if (!info.group.empty()) out += "  group: " + info.group + "\n";
  return out;
}

std::string CommandHelp(const CommandInfo& cmd) {
  std::string name = ToUpper(cmd.name);
  if (cmd.subcommands.empty()) return Entry(name, cmd) + "\n";
  std::string out;
  for (const CommandInfo& sub : cmd.subcommands) out += Entry(name + " " + ToUpper(sub.name), sub);
  return out + "\n";
}

}  // namespace

std::string HelpText(const CommandCatalog& catalog, const std::vector<std::string>& args) {
  if (args.empty()) {
    return "ember-cli\n"
           "To get help about a command:\n"
           "      \"help <command>\" for help on <command>\n"
           "      \"help @<group>\" for the commands of <group> (string, hash, list, ...)\n"
           "      \"help <tab>\" to complete command names\n"
           "To clear the screen: \"clear\"; to leave: \"quit\"\n";
  }
  const std::string& topic = args[0];
  if (topic.size() > 1 && topic[0] == '@') {
    std::string group = ToLower(topic.substr(1)), out;
    for (const CommandInfo& cmd : catalog.commands())
      if (cmd.group == group) out += Entry(ToUpper(cmd.name), cmd);
    return out.empty() ? "No commands in group '" + group + "'\n" : out + "\n";
  }
  const CommandInfo* cmd = catalog.Find(topic);
  if (!cmd) return "No help for '" + topic + "'\n";
  if (args.size() > 1)
    if (const CommandInfo* sub = cmd->FindSubcommand(args[1]))
      return Entry(ToUpper(cmd->name) + " " + ToUpper(sub->name), *sub) + "\n";
  return CommandHelp(*cmd);
}

}  // namespace ember::cli
