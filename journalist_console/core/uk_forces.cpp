#include "journalist_console/core/uk_forces.h"

namespace sealdrop::console {
namespace {

constexpr UkForce kForces[] = {
    // England and Wales: the 43 territorial forces.
    {"AVS", "Avon and Somerset Constabulary"},
    {"BED", "Bedfordshire Police"},
    {"CAM", "Cambridgeshire Constabulary"},
    {"CHE", "Cheshire Constabulary"},
    {"COL", "City of London Police"},
    {"CLE", "Cleveland Police"},
    {"CUM", "Cumbria Constabulary"},
    {"DER", "Derbyshire Constabulary"},
    {"DEV", "Devon and Cornwall Police"},
    {"DOR", "Dorset Police"},
    {"DUR", "Durham Constabulary"},
    {"DYP", "Dyfed-Powys Police"},
    {"ESS", "Essex Police"},
    {"GLO", "Gloucestershire Constabulary"},
    {"GMP", "Greater Manchester Police"},
    {"GWE", "Gwent Police"},
    {"HAM", "Hampshire and Isle of Wight Constabulary"},
    {"HER", "Hertfordshire Constabulary"},
    {"HUM", "Humberside Police"},
    {"KEN", "Kent Police"},
    {"LAN", "Lancashire Constabulary"},
    {"LEI", "Leicestershire Police"},
    {"LIN", "Lincolnshire Police"},
    {"MER", "Merseyside Police"},
    {"MET", "Metropolitan Police Service"},
    {"NFK", "Norfolk Constabulary"},
    {"NWA", "North Wales Police"},
    {"NYO", "North Yorkshire Police"},
    {"NHA", "Northamptonshire Police"},
    {"NUM", "Northumbria Police"},
    {"NOT", "Nottinghamshire Police"},
    {"SWA", "South Wales Police"},
    {"SYO", "South Yorkshire Police"},
    {"STA", "Staffordshire Police"},
    {"SUF", "Suffolk Constabulary"},
    {"SUR", "Surrey Police"},
    {"SUS", "Sussex Police"},
    {"TVP", "Thames Valley Police"},
    {"WAR", "Warwickshire Police"},
    {"WME", "West Mercia Police"},
    {"WMI", "West Midlands Police"},
    {"WYO", "West Yorkshire Police"},
    {"WIL", "Wiltshire Police"},
    // Scotland and Northern Ireland.
    {"SCO", "Police Scotland"},
    {"PSNI", "Police Service of Northern Ireland"},
    // National special forces.
    {"BTP", "British Transport Police"},
    {"MDP", "Ministry of Defence Police"},
    {"CNC", "Civil Nuclear Constabulary"},
    // National triage for reports whose force the reporter does not know.
    {"NATIONAL", "I don't know which force (national triage)"},
};

}  // namespace

std::span<const UkForce> UkForces() { return kForces; }

}  // namespace sealdrop::console
